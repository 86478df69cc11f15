import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { postMaintenanceUpdate } from '#domain/maintenance.ts';
import { maintenanceJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const POST: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    const m = await postMaintenanceUpdate(getDb(), parseId(params.id, 'Maintenance'), await readJsonObject(request), {
      id: locals.user!.id,
      name: locals.user!.name,
    });
    return json({ maintenance: maintenanceJson(m, publicUrl()) }, 201);
  });
