import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { postIncidentUpdate } from '#domain/incidents.ts';
import { incidentJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const POST: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    const id = parseId(params.id, 'Incident');
    const body = await readJsonObject(request);
    const incident = await postIncidentUpdate(getDb(), id, body, { id: locals.user!.id, name: locals.user!.name });
    const shaped = incidentJson(incident, publicUrl());
    // The update just posted has the highest id (a back-dated one need not be first in time order).
    const update = shaped.updates.reduce((a, b) => (b.id > a.id ? b : a));
    return json({ incident: shaped, update }, 201);
  });
