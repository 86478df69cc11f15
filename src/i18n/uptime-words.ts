// The words under each uptime bar ("Nov 28: partial outage for 12 min"). A page shows 90 of them
// per component and renders them again after every change, while a past day's words never
// change: they are kept once made. With a long history every day has outages, and formatting
// their durations was most of the cost of rendering `/` (bench history).
import { formatDay, formatDuration } from '../domain/format.ts';
import type { Locale } from '../domain/locales.ts';
import { COMPONENT_STATES } from '../domain/status.ts';
import type { UptimeDay } from '../domain/uptime.ts';
import { componentStateLabel } from './labels.ts';
import { t } from './t.ts';

/** Enough for 90 days of 100 components in every language; past it the memo starts afresh. */
const MAX_KEPT = 50_000;
interface Kept {
  durations: UptimeDay['durations'];
  words: string;
}
/** By language, day, worst state and a hash of the durations; the durations themselves decide. */
const kept = new Map<string, Kept[]>();
let keptCount = 0;

function wordsFor(day: UptimeDay, locale: Locale): string {
  const date = formatDay(day.date, locale);
  if (day.worst === null) return t(locale, 'uptime.dayNoData', { day: date });
  // In the states' fixed order, so equal durations always read alike (the memo relies on it).
  const parts = COMPONENT_STATES.filter((state) => day.durations[state] !== undefined).map((state) =>
    t(locale, 'uptime.stateFor', {
      state: componentStateLabel(locale, state),
      duration: formatDuration(day.durations[state]!, locale),
    }),
  );
  if (!parts.length) return t(locale, 'uptime.dayNoDowntime', { day: date });
  return t(locale, 'uptime.dayStates', { day: date, states: parts.join(', ') });
}

/**
 * The durations folded into one integer, in the states' fixed order. Looked up 90 times per
 * component on every render: cheaper than spelling every duration into the key.
 */
function durationsHash(durations: UptimeDay['durations']): number {
  let hash = 0;
  for (const state of COMPONENT_STATES) hash = Math.imul(hash ^ (durations[state] ?? -1), 0x9e3779b1);
  return hash;
}

function sameDurations(a: UptimeDay['durations'], b: UptimeDay['durations']): boolean {
  return COMPONENT_STATES.every((state) => a[state] === b[state]);
}

/** What bar `day` says, in `locale`. */
export function describeUptimeDay(day: UptimeDay, locale: Locale): string {
  const key = `${locale}|${day.date}|${day.worst}|${durationsHash(day.durations)}`;
  let variants = kept.get(key);
  const found = variants?.find((k) => sameDurations(k.durations, day.durations));
  if (found) return found.words;
  if (keptCount >= MAX_KEPT) {
    kept.clear();
    keptCount = 0;
    variants = undefined;
  }
  const words = wordsFor(day, locale);
  if (!variants) kept.set(key, (variants = []));
  variants.push({ durations: { ...day.durations }, words });
  keptCount++;
  return words;
}
