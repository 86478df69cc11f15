import type { APIRoute } from 'astro';
import { desc } from 'drizzle-orm';
import { incidents } from '../../../../../db/schema.ts';
import { getDb } from '../../../../db/client.ts';
import { createIncident, loadIncidentViews } from '../../../../domain/incidents.ts';
import { incidentJson } from '../../../../domain/api-shapes.ts';
import { forbidden, handleApi, json, readJsonObject } from '../../../../web/api.ts';

export const GET: APIRoute = ({ url }) =>
  handleApi(async () => {
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 25, 1), 100);
    const rows = await getDb().select().from(incidents).orderBy(desc(incidents.startedAt)).limit(limit);
    const views = await loadIncidentViews(getDb(), rows);
    return json({ incidents: views.map((i) => incidentJson(i, url.origin)) });
  });

export const POST: APIRoute = ({ request, locals, url }) =>
  handleApi(async () => {
    const denied = forbidden(locals.user, 'incidents:write');
    if (denied) return denied;
    const body = await readJsonObject(request);
    const incident = await createIncident(getDb(), body, { id: locals.user!.id, name: locals.user!.name });
    return json({ incident: incidentJson(incident, url.origin) }, 201);
  });
