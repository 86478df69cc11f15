// What a post will look like before it is posted: the message rendered as the public page renders
// it, and the subject of the email subscribers would get (none when notify is off). The admin
// forms show it after their "Preview" button, which posts the form without saving it. The input
// is checked by the same schema posting uses, so a preview refuses what posting would refuse.
import { parseInput } from '../domain/errors.ts';
import type { IncidentView } from '../domain/incident-types.ts';
import { createIncidentSchema, postUpdateSchema } from '../domain/incidents.ts';
import { maintenanceUpdateSchema, scheduleSchema, type MaintenanceView } from '../domain/maintenance.ts';
import { KIND_FOR_STATUS } from '../domain/maintenance-transition.ts';
import { renderMarkdown } from '../domain/markdown.ts';
import { incidentSubject, maintenanceSubject } from '../domain/notify/email.ts';
import { messageContext } from './message-context.ts';

export interface PostPreview {
  /** The message as sanitized HTML, exactly as pages and emails render it. */
  html: string;
  /** The email subject, or null when nobody would be emailed. */
  subject: string | null;
}

/** The name of the submit button that asks for a preview instead of posting. */
export const PREVIEW_BUTTON = 'preview';

export const wantsPreview = (form: FormData): boolean => form.get(PREVIEW_BUTTON) !== null;

const siteName = async () => (await messageContext()).siteName;

/** Opening an incident (`input` as createIncident takes it). */
export async function newIncidentPreview(input: unknown): Promise<PostPreview> {
  const data = parseInput(createIncidentSchema, input);
  return {
    html: renderMarkdown(data.message),
    // A draft tells nobody until it is published.
    subject:
      data.notify && !data.draft
        ? incidentSubject(await siteName(), 'incident.created', data.status, data.title)
        : null,
  };
}

/** An update to `incident` (`input` as postIncidentUpdate takes it). */
export async function incidentUpdatePreview(incident: IncidentView, input: unknown): Promise<PostPreview> {
  const data = parseInput(postUpdateSchema, input);
  const kind = data.status === 'resolved' && incident.status !== 'resolved' ? 'incident.resolved' : 'incident.updated';
  return {
    html: renderMarkdown(data.message),
    subject:
      data.notify && incident.published ? incidentSubject(await siteName(), kind, data.status, incident.title) : null,
  };
}

/** Scheduling a window (`input` as scheduleMaintenance takes it). */
export async function scheduleMaintenancePreview(input: unknown): Promise<PostPreview> {
  const data = parseInput(scheduleSchema, input);
  return {
    html: renderMarkdown(data.body),
    subject: data.notify
      ? maintenanceSubject(await siteName(), 'maintenance.scheduled', 'scheduled', data.title)
      : null,
  };
}

/** An update to window `m` (`input` as postMaintenanceUpdate takes it). */
export async function maintenanceUpdatePreview(m: MaintenanceView, input: unknown): Promise<PostPreview> {
  const data = parseInput(maintenanceUpdateSchema, input);
  return {
    html: renderMarkdown(data.message),
    subject: data.notify
      ? maintenanceSubject(await siteName(), KIND_FOR_STATUS[data.status], data.status, m.title)
      : null,
  };
}
