// How times and durations read on the page. Server-rendered times are in the page's display zone
// (a setting, UTC unless changed); the browser adds the reader's own zone next to them when it
// differs (see the layout's script).
const UTC_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  hourCycle: 'h23',
});

export function formatUtc(ms: number): string {
  return `${UTC_FORMAT.format(new Date(ms))} UTC`;
}

const ZONE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/**
 * A time in the page's display zone (a setting), with the zone's short name: "3 Nov 2026, 15:05
 * CET". UTC reads exactly as formatUtc. `zone` must be a zone Intl knows (settings check it).
 */
export function formatInZone(ms: number, zone: string): string {
  if (zone === 'UTC' || zone === 'Etc/UTC') return formatUtc(ms);
  let format = ZONE_FORMATS.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: zone,
      timeZoneName: 'short',
      hourCycle: 'h23',
    });
    ZONE_FORMATS.set(zone, format);
  }
  return format.format(new Date(ms));
}

const UTC_DAY_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "14:05": the UTC clock time, as RCAs and the timeline picture write it. */
export function formatUtcClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** "3 Nov 2026": the UTC day, for due dates and prose. */
export function formatUtcDay(ms: number): string {
  return UTC_DAY_FORMAT.format(new Date(ms));
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** An ISO time for JSON, or null for "not yet". */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Escapes text for XML (SVG, Atom, RSS). */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${days} d ${h} h` : `${days} d`;
}

/** A measured downtime: seconds under a minute, so a downtime that moved a percentage never reads "0 min". */
export function formatDowntime(ms: number): string {
  if (ms <= 0) return 'none';
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  return formatDuration(ms);
}

/**
 * An achieved availability to three decimals, consistent with its downtime: any downtime at all
 * never shows as 100%, and none shows as exactly 100%.
 */
export function formatAchieved(percent: number, downtimeMs: number): string {
  if (downtimeMs <= 0) return '100%';
  const shown = percent.toFixed(3);
  return shown === '100.000' ? '> 99.999%' : `${shown}%`;
}

// Built once: toLocaleDateString builds a formatter on every call, and the status page formats
// 90 days for every component.
const WEEKDAY_FORMAT = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

export function formatDay(date: string): string {
  return WEEKDAY_FORMAT.format(new Date(`${date}T00:00:00Z`));
}

/** A count with its noun in agreement: "1 warning", "2 warnings", "0 errors". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
