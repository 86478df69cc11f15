// Admin maintenance forms ↔ the plain objects the maintenance domain validates.
import { DEFAULT_REMINDER_MS, type MaintenanceView } from '../domain/maintenance.ts';
import { formText, formUtcTime, utcInputValue } from './forms.ts';

export function maintenanceInput(form: FormData) {
  return {
    title: formText(form, 'title'),
    body: formText(form, 'body'),
    scheduledFor: formUtcTime(form, 'scheduledFor'),
    scheduledUntil: formUtcTime(form, 'scheduledUntil'),
    componentIds: form.getAll('componentIds').map(String),
    autoStart: form.get('autoStart') === 'on',
    autoComplete: form.get('autoComplete') === 'on',
    remindMinutes: formText(form, 'remindMinutes') || '0',
    notify: form.get('notify') === 'on',
  };
}

export function maintenanceValues(m: MaintenanceView): Record<string, string> {
  return {
    title: m.title,
    body: m.body,
    scheduledFor: utcInputValue(m.scheduledFor),
    scheduledUntil: utcInputValue(m.scheduledUntil),
    remindMinutes: String(
      m.remindAt === null ? 0 : Math.round((m.scheduledFor - m.remindAt) / 60_000) || DEFAULT_REMINDER_MS / 60_000,
    ),
    autoStart: m.autoStart ? 'on' : '',
    autoComplete: m.autoComplete ? 'on' : '',
  };
}
