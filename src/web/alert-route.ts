// The inbound alert webhooks: bearer-token API routes that turn a delivery into component states
// and an incident. A clash between two instances applying the same new group at once answers
// 503, and the sender's retry then updates the incident the other one opened.
import type { APIRoute } from 'astro';
import { getDb } from '../db/client.ts';
import { applyAlerts, type AlertBatch } from '../domain/alerts.ts';
import { runAs } from '../domain/audit.ts';
import { apiError, forbidden, handleApi, json, readJsonObject } from './api.ts';

export function alertRoute(parse: (body: unknown) => AlertBatch): APIRoute {
  return ({ request, locals }) =>
    handleApi(async () => {
      const denied = forbidden(locals, 'incidents:write') ?? forbidden(locals, 'components:status');
      if (denied) return denied;
      const batch = parse(await readJsonObject(request));
      try {
        // The change is the alert's; the token says who let it in.
        const outcome = await runAs(
          {
            kind: 'alert',
            id: locals.user!.id,
            name: `${batch.source === 'alertmanager' ? 'Alertmanager' : 'Monitoring'} (token of ${locals.user!.name})`,
          },
          () => applyAlerts(getDb(), batch),
        );
        return json({ action: outcome.action, incident_id: outcome.incidentId, unrouted: outcome.unrouted });
      } catch (error) {
        if (/UNIQUE constraint failed: alert_groups/.test(String((error as Error)?.message ?? error))) {
          return apiError(503, 'retry', 'Another delivery for this alert group is being applied; retry.');
        }
        throw error;
      }
    });
}
