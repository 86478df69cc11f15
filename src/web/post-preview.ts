// What a post will look like before it is posted: the message rendered as the public page renders
// it, and the subject of the email subscribers would get (none when notify is off). The admin
// forms show it after their "Preview" button, which posts the form without saving it.
import type { NotificationKind } from '../domain/notify/kinds.ts';
import { incidentSubject, maintenanceSubject } from '../domain/notify/email.ts';
import { renderMarkdown } from '../domain/markdown.ts';
import {
  INCIDENT_STATUSES,
  MAINTENANCE_STATUSES,
  type IncidentStatus,
  type MaintenanceStatus,
} from '../domain/status.ts';
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

const isIncidentStatus = (s: string): s is IncidentStatus => (INCIDENT_STATUSES as readonly string[]).includes(s);
const isMaintenanceStatus = (s: string): s is MaintenanceStatus =>
  (MAINTENANCE_STATUSES as readonly string[]).includes(s);

/** An incident opened or updated: `kind` is what it would announce, `status` the incident's status after it. */
export function incidentPreview(p: {
  kind: NotificationKind;
  status: string;
  title: string;
  message: string;
  notify: boolean;
}): PostPreview {
  const status = isIncidentStatus(p.status) ? p.status : 'investigating';
  return {
    html: renderMarkdown(p.message),
    subject: p.notify ? incidentSubject(messageContext().siteName, p.kind, status, p.title || '(no title yet)') : null,
  };
}

export function maintenancePreview(p: {
  kind: NotificationKind;
  status: string;
  title: string;
  message: string;
  notify: boolean;
}): PostPreview {
  const status = isMaintenanceStatus(p.status) ? p.status : 'scheduled';
  return {
    html: renderMarkdown(p.message),
    subject: p.notify
      ? maintenanceSubject(messageContext().siteName, p.kind, status, p.title || '(no title yet)')
      : null,
  };
}
