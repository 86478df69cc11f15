// Ends the viewer's session (issue 20); staff sessions are not touched.
import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { signOutViewer } from '#domain/audiences/viewer-sessions.ts';
import { clearViewerCookie } from '#web/viewer-cookie.ts';

export const POST: APIRoute = async ({ locals, cookies, url, redirect }) => {
  if (locals.viewer.sessionId) await signOutViewer(getDb(), locals.viewer.sessionId);
  clearViewerCookie(cookies, url);
  return redirect('/access?signed-out', 303);
};
