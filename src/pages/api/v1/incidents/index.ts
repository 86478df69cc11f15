import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { createIncident, listIncidentsPage } from '#domain/incidents.ts';
import { incidentJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, pageRequest, pagination, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = ({ url }) =>
  handleApi(async () => {
    const page = pageRequest(url);
    const { views, total } = await listIncidentsPage(getDb(), page.offset, page.perPage);
    return json({ incidents: views.map((i) => incidentJson(i, publicUrl())), pagination: pagination(page, total) });
  });

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    const body = await readJsonObject(request);
    const incident = await createIncident(getDb(), body, { id: locals.user!.id, name: locals.user!.name });
    return json({ incident: incidentJson(incident, publicUrl()) }, 201);
  });
