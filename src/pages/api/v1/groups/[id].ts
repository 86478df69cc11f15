import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { groupAudienceMap } from '#domain/audiences/audience-reads.ts';
import { deleteGroup, updateGroup } from '#domain/components.ts';
import { groupJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const PUT: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    const group = await updateGroup(getDb(), parseId(params.id, 'Group'), await readJsonObject(request));
    return json({ group: groupJson(group, (await groupAudienceMap(getDb())).get(group.id) ?? []) });
  });

/** Deleting a group keeps its components; they become ungrouped. */
export const DELETE: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    await deleteGroup(getDb(), parseId(params.id, 'Group'));
    return new Response(null, { status: 204 });
  });
