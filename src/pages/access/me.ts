// Who this browser reads as (issue 20), for the viewer's own pages and scripts: the audiences it
// is admitted to, how, and the address proven. Personal (src/web/paths.ts): never cached.
import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { audienceNames } from '#domain/audiences/admission.ts';
import { isPublicViewer } from '#domain/audiences/viewer.ts';

export const GET: APIRoute = async ({ locals }) => {
  const viewer = locals.viewer;
  const names = await audienceNames(getDb(), viewer.audienceIds);
  const body = {
    signedIn: viewer.sessionId !== null,
    public: isPublicViewer(viewer),
    email: viewer.email,
    audiences: viewer.audienceIds.map((id, i) => ({ id, name: names[i] ?? null, method: viewer.methods[i] })),
  };
  return new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
};
