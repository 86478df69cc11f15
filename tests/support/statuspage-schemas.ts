// Statuspage's public formats as zod schemas, written from its documentation (the component,
// incident and incident-update objects of /api/v2, the webhook envelope) and payloads captured
// from real pages: every documented key required with its type and enumeration.
import { z } from 'zod';

export const time = z.iso.datetime({ offset: true });
export const componentStatus = z.enum([
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
]);
export const indicator = z.enum(['none', 'minor', 'major', 'critical', 'maintenance']);
export const incidentStatus = z.enum([
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'postmortem',
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
]);
export const impact = z.enum(['none', 'minor', 'major', 'critical', 'maintenance']);

export const page = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  url: z.url(),
  time_zone: z.string(),
  updated_at: time,
});
export const component = z.object({
  id: z.string().min(1),
  page_id: z.string().min(1),
  group_id: z.string().nullable(),
  created_at: time,
  updated_at: time,
  group: z.boolean(),
  name: z.string().min(1),
  description: z.string().nullable(),
  position: z.number().int().min(1),
  status: componentStatus,
  showcase: z.boolean(),
  only_show_if_degraded: z.boolean(),
  start_date: z.iso.date().nullable(),
  components: z.array(z.string()).optional(),
});
export const affectedComponent = z.object({
  code: z.string(),
  name: z.string(),
  old_status: componentStatus,
  new_status: componentStatus,
});
export const incidentUpdate = z.object({
  id: z.string(),
  incident_id: z.string(),
  status: incidentStatus,
  body: z.string(),
  created_at: time,
  updated_at: time,
  display_at: time,
  affected_components: z.array(affectedComponent),
  deliver_notifications: z.boolean(),
  custom_tweet: z.string().nullable(),
  tweet_id: z.string().nullable(),
});
export const incident = z.object({
  id: z.string(),
  name: z.string(),
  status: incidentStatus,
  impact,
  impact_override: impact.nullable(),
  created_at: time,
  updated_at: time,
  started_at: time,
  monitoring_at: time.nullable(),
  resolved_at: time.nullable(),
  shortlink: z.url(),
  page_id: z.string(),
  backfilled: z.boolean(),
  scheduled_for: time.nullable(),
  scheduled_until: time.nullable(),
  scheduled_remind_prior: z.boolean(),
  scheduled_reminded_at: time.nullable(),
  scheduled_auto_in_progress: z.boolean(),
  scheduled_auto_completed: z.boolean(),
  reminder_intervals: z.string().nullable(),
  postmortem_body: z.string().nullable(),
  postmortem_body_last_updated_at: time.nullable(),
  postmortem_published_at: time.nullable(),
  postmortem_ignored: z.boolean(),
  postmortem_notified_subscribers: z.boolean(),
  postmortem_notified_twitter: z.boolean(),
  incident_updates: z.array(incidentUpdate).min(1),
  components: z.array(component),
});
export const maintenance = incident.extend({
  status: z.enum(['scheduled', 'in_progress', 'verifying', 'completed']),
  impact: z.literal('maintenance'),
  scheduled_for: time,
  scheduled_until: time,
});
export const status = z.object({ indicator, description: z.string().min(1) });

export const documents = {
  '/api/v2/summary.json': z.object({
    page,
    components: z.array(component),
    incidents: z.array(incident),
    scheduled_maintenances: z.array(maintenance),
    status,
  }),
  '/api/v2/status.json': z.object({ page, status }),
  '/api/v2/components.json': z.object({ page, components: z.array(component) }),
  '/api/v2/incidents.json': z.object({ page, incidents: z.array(incident) }),
  '/api/v2/incidents/unresolved.json': z.object({ page, incidents: z.array(incident) }),
  '/api/v2/scheduled-maintenances.json': z.object({ page, scheduled_maintenances: z.array(maintenance) }),
  '/api/v2/scheduled-maintenances/upcoming.json': z.object({ page, scheduled_maintenances: z.array(maintenance) }),
  '/api/v2/scheduled-maintenances/active.json': z.object({ page, scheduled_maintenances: z.array(maintenance) }),
} as const;

export const webhookEnvelope = z.object({
  meta: z.object({ unsubscribe: z.url(), documentation: z.url() }),
  page: z.object({ id: z.string().min(1), status_indicator: indicator, status_description: z.string().min(1) }),
});
export const webhooks = {
  incident: webhookEnvelope.extend({ incident }),
  maintenance: webhookEnvelope.extend({ incident: maintenance }),
  component: webhookEnvelope.extend({
    component_update: z.object({
      id: z.string(),
      component_id: z.string(),
      created_at: time,
      old_status: componentStatus,
      new_status: componentStatus,
    }),
    component,
  }),
  verify: webhookEnvelope.extend({ challenge: z.string().min(1) }),
};
export const WEBHOOK_SCHEMA: Record<string, z.ZodType> = {
  'subscription.verify': webhooks.verify,
  'incident.created': webhooks.incident,
  'incident.updated': webhooks.incident,
  'incident.resolved': webhooks.incident,
  'incident.corrected': webhooks.incident,
  'component.updated': webhooks.component,
  'maintenance.scheduled': webhooks.maintenance,
  'maintenance.reminder': webhooks.maintenance,
  'maintenance.started': webhooks.maintenance,
  'maintenance.updated': webhooks.maintenance,
  'maintenance.completed': webhooks.maintenance,
};

export type ComponentJson = z.infer<typeof component>;
