import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { invalidateSession } from '#domain/auth/sessions.ts';
import { clearSessionCookie } from '#web/session-cookie.ts';

export const POST: APIRoute = async ({ locals, cookies, url, redirect }) => {
  if (locals.sessionId) await invalidateSession(getDb(), locals.sessionId);
  clearSessionCookie(cookies, url);
  return redirect('/admin/login', 303);
};
