import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { listMaintenancePage, scheduleMaintenance } from '#domain/maintenance.ts';
import { maintenanceJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, pageRequest, pagination, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = ({ url }) =>
  handleApi(async () => {
    const page = pageRequest(url);
    const { views, total } = await listMaintenancePage(getDb(), page.offset, page.perPage);
    return json({
      maintenance: views.map((m) => maintenanceJson(m, publicUrl())),
      pagination: pagination(page, total),
    });
  });

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    const m = await scheduleMaintenance(getDb(), await readJsonObject(request), {
      id: locals.user!.id,
      name: locals.user!.name,
    });
    return json({ maintenance: maintenanceJson(m, publicUrl()) }, 201);
  });
