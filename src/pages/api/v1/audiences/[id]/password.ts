import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { clearAudiencePassword, setAudiencePassword } from '#domain/audiences/audiences.ts';
import { audienceJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

/** `{ "password": "…" }`; everyone signed in with the old password is signed out. */
export const PUT: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'audiences:manage');
    if (denied) return denied;
    const id = parseId(params.id, 'Audience');
    return json({ audience: audienceJson(await setAudiencePassword(getDb(), id, await readJsonObject(request))) });
  });

export const DELETE: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'audiences:manage');
    if (denied) return denied;
    await clearAudiencePassword(getDb(), parseId(params.id, 'Audience'));
    return new Response(null, { status: 204 });
  });
