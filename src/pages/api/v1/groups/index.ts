import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { groupAudienceMap } from '#domain/audiences/audience-reads.ts';
import { createGroup, listGroups } from '#domain/components.ts';
import { groupJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () =>
  handleApi(async () => {
    const [groups, audiences] = await Promise.all([listGroups(getDb()), groupAudienceMap(getDb())]);
    return json({ groups: groups.map((g) => groupJson(g, audiences.get(g.id) ?? [])) });
  });

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    const group = await createGroup(getDb(), await readJsonObject(request));
    return json({ group: groupJson(group, (await groupAudienceMap(getDb())).get(group.id) ?? []) }, 201);
  });
