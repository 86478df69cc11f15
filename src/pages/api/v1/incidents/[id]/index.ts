import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { getIncident } from '#domain/incidents.ts';
import { incidentJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { handleApi, json, parseId } from '#web/api.ts';

export const GET: APIRoute = ({ params }) =>
  handleApi(async () =>
    json({ incident: incidentJson(await getIncident(getDb(), parseId(params.id, 'Incident')), publicUrl()) }),
  );
