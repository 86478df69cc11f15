import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { getMaintenance, rescheduleMaintenance } from '#domain/maintenance.ts';
import { maintenanceJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = ({ params }) =>
  handleApi(async () =>
    json({
      maintenance: maintenanceJson(await getMaintenance(getDb(), parseId(params.id, 'Maintenance')), publicUrl()),
    }),
  );

/** Reschedules or edits a window that has not started. */
export const PUT: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    const m = await rescheduleMaintenance(getDb(), parseId(params.id, 'Maintenance'), await readJsonObject(request), {
      id: locals.user!.id,
      name: locals.user!.name,
    });
    return json({ maintenance: maintenanceJson(m, publicUrl()) });
  });
