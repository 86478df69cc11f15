import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { createGroup, listGroups } from '#domain/components.ts';
import { groupJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () => handleApi(async () => json({ groups: (await listGroups(getDb())).map(groupJson) }));

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    return json({ group: groupJson(await createGroup(getDb(), await readJsonObject(request))) }, 201);
  });
