// The words under each uptime bar ("Nov 28: partial outage for 12 min"). A page shows 90 of them
// per component and renders them again after every change, while a past day's words never
// change: they are kept once made. With a long history every day has outages, and formatting
// their durations was most of the cost of rendering `/` (bench history).
import { formatDay, formatDuration } from '../domain/format.ts';
import type { Locale } from '../domain/locales.ts';
import type { ComponentState } from '../domain/status.ts';
import type { UptimeDay } from '../domain/uptime.ts';
import { componentStateLabel } from './labels.ts';
import { t } from './t.ts';

/** Enough for 90 days of 100 components in every language; past it the memo starts afresh. */
const MAX_KEPT = 50_000;
const kept = new Map<string, string>();

function wordsFor(day: UptimeDay, locale: Locale): string {
  const date = formatDay(day.date, locale);
  if (day.worst === null) return t(locale, 'uptime.dayNoData', { day: date });
  const parts = Object.entries(day.durations).map(([state, ms]) =>
    t(locale, 'uptime.stateFor', {
      state: componentStateLabel(locale, state as ComponentState),
      duration: formatDuration(ms, locale),
    }),
  );
  if (!parts.length) return t(locale, 'uptime.dayNoDowntime', { day: date });
  return t(locale, 'uptime.dayStates', { day: date, states: parts.join(', ') });
}

/** What bar `day` says, in `locale`. */
export function describeUptimeDay(day: UptimeDay, locale: Locale): string {
  let key = `${locale}|${day.date}|${day.worst}`;
  for (const [state, ms] of Object.entries(day.durations)) key += `|${state}=${ms}`;
  let words = kept.get(key);
  if (words === undefined) {
    if (kept.size >= MAX_KEPT) kept.clear();
    words = wordsFor(day, locale);
    kept.set(key, words);
  }
  return words;
}
