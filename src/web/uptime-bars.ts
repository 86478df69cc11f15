// A component's daily uptime bars as SVG markup, built as one string. Through Astro each bar is an
// element with six attributes and a title, and a page shows 90 of them per component: 810 on the
// demo, about a millisecond and a half of every render of `/` spent on bars alone.
import { escapeMarkup } from '../domain/format.ts';
import type { Locale } from '../domain/locales.ts';
import type { UptimeDay } from '../domain/uptime.ts';
import { describeUptimeDay } from '../i18n/uptime-words.ts';

const BAR_WIDTH = 4;
const BAR_GAP = 1.5;
export const BAR_HEIGHT = 28;

/** The width the bars of `days` days take, gaps between them only. */
export function barsWidth(days: number): number {
  return days * (BAR_WIDTH + BAR_GAP) - BAR_GAP;
}

/** One <rect> per day, oldest first, each with its words as its title. */
export function uptimeBarsMarkup(days: readonly UptimeDay[], locale: Locale): string {
  let markup = '';
  for (let i = 0; i < days.length; i++) {
    const day = days[i];
    markup +=
      `<rect x="${i * (BAR_WIDTH + BAR_GAP)}" y="0" width="${BAR_WIDTH}" height="${BAR_HEIGHT}" rx="1" ` +
      `class="bar bar-${day.worst ?? 'none'}"><title>${escapeMarkup(describeUptimeDay(day, locale))}</title></rect>`;
  }
  return markup;
}
