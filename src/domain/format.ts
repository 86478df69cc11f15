// How times, durations and numbers read on the page, in each shipped language (Intl). Server-
// rendered times are in the page's display zone (a setting, UTC unless changed); the browser adds
// the reader's own zone next to them when it differs (see the layout's script). The admin is
// English: every function defaults to it.
import type { Locale } from './locales.ts';

/** The BCP 47 tag Intl formats with: English reads as British English (day month year, 24 h). */
export const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', de: 'de', fr: 'fr', es: 'es', ja: 'ja' };

/**
 * One formatter per locale, built on first use: building one costs far more than formatting, and
 * the status page formats 90 days for every component.
 */
function perLocale<F>(make: (tag: string) => F): (locale: Locale) => F {
  const made = new Map<Locale, F>();
  return (locale) => {
    let f = made.get(locale);
    if (!f) made.set(locale, (f = make(INTL_LOCALE[locale])));
    return f;
  };
}

/** Entries a time memo holds before it starts over: a few pages' worth of times, about 1 MB. */
const TIME_MEMO_LIMIT = 10_000;

/**
 * `format` remembered by time. Formatting costs half a microsecond (toISOString) to several
 * (Intl), a list of 50 incidents formats about a thousand times, and a render after a change
 * formats mostly the times the last one did.
 */
function memoByTime(format: (ms: number) => string): (ms: number) => string {
  let memo = new Map<number, string>();
  return (ms) => {
    let text = memo.get(ms);
    if (text === undefined) {
      text = format(ms);
      if (memo.size >= TIME_MEMO_LIMIT) memo = new Map();
      memo.set(ms, text);
    }
    return text;
  };
}

/** An Intl format, remembered by time. */
function intlFormat(tag: string, options: Intl.DateTimeFormatOptions, suffix = ''): (ms: number) => string {
  const format = new Intl.DateTimeFormat(tag, options);
  return memoByTime((ms) => format.format(new Date(ms)) + suffix);
}

const utcFormat = perLocale((tag) =>
  intlFormat(
    tag,
    {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
      hourCycle: 'h23',
    },
    ' UTC',
  ),
);

export function formatUtc(ms: number, locale: Locale = 'en'): string {
  return utcFormat(locale)(ms);
}

const ZONE_FORMATS = new Map<string, (ms: number) => string>();

/**
 * A time in the page's display zone (a setting), with the zone's short name: "3 Nov 2026, 15:05
 * CET". UTC reads exactly as formatUtc. `zone` must be a zone Intl knows (settings check it).
 */
export function formatInZone(ms: number, zone: string, locale: Locale = 'en'): string {
  if (zone === 'UTC' || zone === 'Etc/UTC') return formatUtc(ms, locale);
  const key = `${locale}|${zone}`;
  let format = ZONE_FORMATS.get(key);
  if (!format) {
    format = intlFormat(INTL_LOCALE[locale], {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: zone,
      timeZoneName: 'short',
      hourCycle: 'h23',
    });
    ZONE_FORMATS.set(key, format);
  }
  return format(ms);
}

const utcDayFormat = perLocale((tag) =>
  intlFormat(tag, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }),
);

/** "14:05": the UTC clock time, as RCAs and the timeline picture write it. */
export function formatUtcClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** "3 Nov 2026": the UTC day, for due dates and prose. */
export function formatUtcDay(ms: number, locale: Locale = 'en'): string {
  return utcDayFormat(locale)(ms);
}

export const isoTime = memoByTime((ms) => new Date(ms).toISOString());

/** "2026-11-03": the UTC day, as dates in URLs, JSON and the uptime bars write it. */
export const isoDay = memoByTime((ms) => new Date(ms).toISOString().slice(0, 10));

/** An ISO time for JSON, or null for "not yet". */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}

const MARKUP_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML and XML alike (email, chat cards, SVG, Atom, RSS); both read the numeric
 * &#39;. Feeds escape every entry's whole text, so the entities are looked up, not rebuilt per match.
 */
export function escapeMarkup(s: string): string {
  return s.replace(/[&<>"']/g, (c) => MARKUP_ENTITIES[c]);
}

const durationFormat = perLocale((tag) => new Intl.DurationFormat(tag, { style: 'short' }));

/** Minutes under an hour, hours and minutes under two days, then days and hours. */
export function formatDuration(ms: number, locale: Locale = 'en'): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const parts =
    minutes < 60
      ? { minutes }
      : hours < 48
        ? { hours, minutes: minutes % 60 }
        : { days: Math.floor(hours / 24), hours: hours % 24 };
  // English keeps the page's terse units ("2 h 5 min"); other languages use their own (Intl).
  if (locale === 'en') return englishDuration(parts);
  // DurationFormat leaves out zero units, so nothing at all would read as "".
  return minutes === 0 ? zeroMinutes(locale).format(0) : durationFormat(locale).format(parts);
}

const zeroMinutes = perLocale(
  (tag) => new Intl.NumberFormat(tag, { style: 'unit', unit: 'minute', unitDisplay: 'short' }),
);

function englishDuration(parts: { days?: number; hours?: number; minutes?: number }): string {
  const text = [
    parts.days ? `${parts.days} d` : '',
    parts.hours ? `${parts.hours} h` : '',
    parts.minutes || (!parts.days && !parts.hours) ? `${parts.minutes ?? 0} min` : '',
  ];
  return text.filter(Boolean).join(' ');
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

const weekdayFormat = perLocale(
  (tag) =>
    new Intl.DateTimeFormat(tag, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }),
);

/** A calendar day ("2026-11-03") with its weekday. */
export function formatDay(date: string, locale: Locale = 'en'): string {
  return weekdayFormat(locale).format(new Date(`${date}T00:00:00Z`));
}

const monthFormat = perLocale(
  (tag) => new Intl.DateTimeFormat(tag, { month: 'long', year: 'numeric', timeZone: 'UTC' }),
);

/** A month ("2026-11") as the language names it: "November 2026", "novembre 2026", "2026年11月". */
export function formatMonth(month: string, locale: Locale = 'en'): string {
  return monthFormat(locale).format(new Date(`${month}-01T00:00:00Z`));
}

const percentFormat = perLocale(
  (tag) => new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
);

/** An uptime percentage, floored to two decimals (99.999… never reads as 100.00). */
export function formatPercentFloored(percent: number, locale: Locale = 'en'): string {
  return percentFormat(locale).format(Math.floor(percent * 100) / 10_000);
}

/** A count with its noun in agreement: "1 warning", "2 warnings", "0 errors". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
