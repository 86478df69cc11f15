import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { publishIncident } from '#domain/incidents.ts';
import { incidentJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const POST: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    const incident = await publishIncident(getDb(), parseId(params.id, 'Incident'), await readJsonObject(request));
    return json({ incident: incidentJson(incident, publicUrl()) });
  });
