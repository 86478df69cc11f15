import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { getAudience } from '#domain/audiences/audience-reads.ts';
import { deleteAudience, updateAudience } from '#domain/audiences/audiences.ts';
import { audienceJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'audiences:manage');
    if (denied) return denied;
    return json({ audience: audienceJson(await getAudience(getDb(), parseId(params.id, 'Audience'))) });
  });

/** Any subset of name, description, members, ipAllowlist, ssoRules, componentIds, groupIds; lists replace. */
export const PATCH: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'audiences:manage');
    if (denied) return denied;
    const id = parseId(params.id, 'Audience');
    return json({ audience: audienceJson(await updateAudience(getDb(), id, await readJsonObject(request))) });
  });

/** Refused (409) while the audience is still given components or groups. */
export const DELETE: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'audiences:manage');
    if (denied) return denied;
    await deleteAudience(getDb(), parseId(params.id, 'Audience'));
    return new Response(null, { status: 204 });
  });
