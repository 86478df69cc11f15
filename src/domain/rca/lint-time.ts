// Clock times in RCA prose and their conversion to UTC. A zone written as a fixed offset (PST,
// CEST, +02:00) converts the same way all year; a zone that changes with summer time ("ET",
// "Pacific time") is converted with Intl's time-zone data for the day of the incident.

const HOUR = 60;

/** Abbreviations that name one fixed offset, in minutes east of UTC. */
const FIXED_ZONES: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: HOUR,
  BST: HOUR,
  IST: 5 * HOUR + 30,
  CET: HOUR,
  CEST: 2 * HOUR,
  EET: 2 * HOUR,
  EEST: 3 * HOUR,
  MSK: 3 * HOUR,
  GST: 4 * HOUR,
  SGT: 8 * HOUR,
  HKT: 8 * HOUR,
  AWST: 8 * HOUR,
  JST: 9 * HOUR,
  KST: 9 * HOUR,
  ACST: 9 * HOUR + 30,
  AEST: 10 * HOUR,
  AEDT: 11 * HOUR,
  NZST: 12 * HOUR,
  NZDT: 13 * HOUR,
  BRT: -3 * HOUR,
  EST: -5 * HOUR,
  EDT: -4 * HOUR,
  CST: -6 * HOUR,
  CDT: -5 * HOUR,
  MST: -7 * HOUR,
  MDT: -6 * HOUR,
  PST: -8 * HOUR,
  PDT: -7 * HOUR,
  AKST: -9 * HOUR,
  AKDT: -8 * HOUR,
  HST: -10 * HOUR,
};

/** Zones named without saying whether summer time applies: converted for the day in question. */
const SEASONAL_ZONES: Record<string, string> = {
  et: 'America/New_York',
  eastern: 'America/New_York',
  'eastern time': 'America/New_York',
  ct: 'America/Chicago',
  central: 'America/Chicago',
  'central time': 'America/Chicago',
  mt: 'America/Denver',
  mountain: 'America/Denver',
  'mountain time': 'America/Denver',
  pt: 'America/Los_Angeles',
  pacific: 'America/Los_Angeles',
  'pacific time': 'America/Los_Angeles',
  'uk time': 'Europe/London',
  'london time': 'Europe/London',
  // Longer names first in the pattern, so "Central European" never reads as US Central.
  'central european time': 'Europe/Berlin',
  'central european': 'Europe/Berlin',
  'eastern european time': 'Europe/Bucharest',
  'eastern european': 'Europe/Bucharest',
  'berlin time': 'Europe/Berlin',
  'paris time': 'Europe/Paris',
  'tokyo time': 'Asia/Tokyo',
  'sydney time': 'Australia/Sydney',
};

const ZONE_WORDS = [...Object.keys(SEASONAL_ZONES), 'local time', 'local']
  .filter((z) => z.includes(' ') || z.length > 2)
  .sort((a, b) => b.length - a.length)
  .join('|');
const ZONE_ABBREVIATIONS = [...Object.keys(FIXED_ZONES), 'ET', 'CT', 'MT', 'PT']
  .sort((a, b) => b.length - a.length)
  .join('|');

/**
 * A clock time with what follows it: 24-hour "14:05", 12-hour "3:45 PM" or "3 pm", then an optional
 * zone: an abbreviation, an offset ("+02:00", "UTC+2") or words ("Pacific time", "local time").
 * Groups: hour, minute, meridiem, zone.
 */
export const TIME_PATTERN = new RegExp(
  `\\b(?:(1[0-2]|0?[1-9])(?::([0-5]\\d))?\\s*([ap]\\.?m\\b\\.?)|([01]?\\d|2[0-3]):([0-5]\\d)(?::[0-5]\\d)?\\b)` +
    `(?:\\s*((?:UTC|GMT)\\s?[+-]\\d{1,2}(?::?\\d{2})?|[+-]\\d{2}:?\\d{2}|(?:${ZONE_ABBREVIATIONS})\\b|(?:${ZONE_WORDS})\\b(?:\\s+time\\b)?))?`,
  'gi',
);

export interface ClockTime {
  /** Minutes after midnight on the writer's clock. */
  minutes: number;
  /** The zone as written, or '' when none. */
  zone: string;
}

/** Reads a TIME_PATTERN match. */
export function readClock(m: RegExpMatchArray): ClockTime {
  let hour: number;
  let minute: number;
  if (m[3]) {
    hour = Number(m[1]) % 12;
    if (/^p/i.test(m[3])) hour += 12;
    minute = Number(m[2] ?? 0);
  } else {
    hour = Number(m[4]);
    minute = Number(m[5]);
  }
  return { minutes: hour * HOUR + minute, zone: (m[6] ?? '').trim() };
}

export const isUtcZone = (zone: string) => /^(?:UTC|GMT|Z)$/i.test(zone);

/** The offset of an IANA zone at an instant, in minutes east of UTC. */
function zoneOffset(timeZone: string, at: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(name)!;
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3])) : 0;
}

/** The calendar day (UTC midnight, ms) that an instant falls on in a zone. */
function localDay(timeZone: string, at: number): number {
  const shifted = at + zoneOffset(timeZone, at) * 60_000;
  return shifted - (shifted % 86_400_000);
}

/** The offset in minutes a written zone stands for on the day of `referenceAt`, or null when unknown. */
function offsetFor(zone: string, minutes: number, referenceAt: number): number | null {
  const upper = zone.toUpperCase();
  if (upper in FIXED_ZONES) return FIXED_ZONES[upper];
  const offset = /^(?:UTC|GMT)?\s?([+-])(\d{1,2}):?(\d{2})?$/i.exec(zone);
  if (offset) return (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * HOUR + Number(offset[3] ?? 0));
  const iana =
    SEASONAL_ZONES[
      zone
        .toLowerCase()
        .replace(/\s+/g, ' ')
        .replace(/ time$/, '')
    ] ?? SEASONAL_ZONES[zone.toLowerCase()];
  if (!iana) return null;
  // The wall-clock time on the incident's day, then the zone's offset at that moment. Twice, so a
  // time just after a summer-time change uses the offset in force then.
  const wall = localDay(iana, referenceAt) + minutes * 60_000;
  let utc = wall - zoneOffset(iana, wall) * 60_000;
  utc = wall - zoneOffset(iana, utc) * 60_000;
  return Math.round((wall - utc) / 60_000);
}

export interface UtcConversion {
  /** "23:45" */
  clock: string;
  /** -1, 0 or 1: the UTC time falls on the day before, the same day or the day after. */
  dayShift: number;
}

/** The UTC clock time for a time written in another zone, or null when the zone is not known (e.g. "local time"). */
export function toUtc(time: ClockTime, referenceAt: number): UtcConversion | null {
  const offset = offsetFor(time.zone, time.minutes, referenceAt);
  if (offset === null) return null;
  const utc = time.minutes - offset;
  const dayShift = Math.floor(utc / (24 * HOUR));
  const inDay = utc - dayShift * 24 * HOUR;
  return { clock: clock(inDay), dayShift };
}

/** "07:05" from minutes after midnight. */
export function clock(minutes: number): string {
  return `${String(Math.floor(minutes / HOUR)).padStart(2, '0')}:${String(minutes % HOUR).padStart(2, '0')}`;
}
