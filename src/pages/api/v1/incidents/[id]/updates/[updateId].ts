import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { incidentJson } from '#domain/api-shapes.ts';
import { correctIncidentUpdate } from '#domain/incident-corrections.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

/** Corrects the text of a posted update; subscribers are told only with `notify: true`. */
export const PATCH: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    const id = parseId(params.id, 'Incident');
    const updateId = parseId(params.updateId, 'Update');
    const body = await readJsonObject(request);
    const incident = await correctIncidentUpdate(getDb(), id, updateId, body, {
      id: locals.user!.id,
      name: locals.user!.name,
    });
    const shaped = incidentJson(incident, publicUrl());
    return json({ incident: shaped, update: shaped.updates.find((u) => u.id === updateId)! });
  });
