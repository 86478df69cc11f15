// The maintenance calendar (RFC 5545): one event per maintenance window, UTC times, a UID that
// never changes and a SEQUENCE raised on every change, so calendar apps update the event in place;
// a cancelled window stays in the feed marked CANCELLED, so calendars remove it.
import type { MaintenanceView } from './maintenance.ts';
import { maintenanceLink, type MessageContext } from './notify/links.ts';
import type { Locale } from './locales.ts';
import { maintenanceStatusLabel } from '../i18n/labels.ts';
import { t } from '../i18n/t.ts';

/** Windows in the calendar: enough history for calendars that re-fetch rarely. */
export const CALENDAR_LIMIT = 100;

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** TEXT values escape backslash, semicolon, comma and line breaks. */
const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Lines are folded at 75 octets, continuing with a space, without splitting a UTF-8 character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > (out.length ? 74 : 75)) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** The calendar in `locale`: its own words; titles and descriptions are as staff wrote them. */
export function renderMaintenanceCalendar(
  ctx: MessageContext,
  windows: MaintenanceView[],
  locale: Locale = 'en',
): string {
  const host = new URL(ctx.publicUrl).hostname;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Candor//Status page//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${text(t(locale, 'calendar.name', { site: ctx.siteName }))}`,
  ];
  for (const m of windows) {
    const components = m.components.map((c) => c.name).join(', ');
    const description = [
      `${maintenanceStatusLabel(locale, m.status)}.`,
      m.body,
      components && `${t(locale, 'feed.affected', { list: components })}.`,
      maintenanceLink(ctx, m.id),
    ]
      .filter(Boolean)
      .join('\n\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:maintenance-${m.id}@${host}`,
      `DTSTAMP:${stamp(m.updatedAt)}`,
      `CREATED:${stamp(m.createdAt)}`,
      `LAST-MODIFIED:${stamp(m.updatedAt)}`,
      `DTSTART:${stamp(m.scheduledFor)}`,
      `DTEND:${stamp(m.scheduledUntil)}`,
      `SEQUENCE:${m.sequence}`,
      `STATUS:${m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      `SUMMARY:${text(m.status === 'cancelled' ? t(locale, 'calendar.cancelled', { title: m.title }) : m.title)}`,
      `DESCRIPTION:${text(description)}`,
      `URL:${maintenanceLink(ctx, m.id)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
