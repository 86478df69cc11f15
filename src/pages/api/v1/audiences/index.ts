import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { listAudiences } from '#domain/audiences/audience-reads.ts';
import { createAudience } from '#domain/audiences/audiences.ts';
import { audienceJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

/** Audiences hold members' addresses: reading them needs the same right as changing them. */
export const GET: APIRoute = ({ locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'audiences:manage');
    if (denied) return denied;
    return json({ audiences: (await listAudiences(getDb())).map(audienceJson) });
  });

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'audiences:manage');
    if (denied) return denied;
    return json({ audience: audienceJson(await createAudience(getDb(), await readJsonObject(request))) }, 201);
  });
