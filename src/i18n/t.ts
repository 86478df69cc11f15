// Translations: `t(locale, key, params)` formats a message from the locale's catalogue with ICU
// MessageFormat (intl-messageformat), so plurals and numbers follow each language's own rules.
// Messages are compiled once per locale and key, on first use.
import { IntlMessageFormat } from 'intl-messageformat';
import { escapeMarkup, INTL_LOCALE } from '../domain/format.ts';
import type { Locale } from '../domain/locales.ts';
import { CATALOGUES, type MessageKey } from './catalogues.ts';

export type { MessageKey };
export type MessageParams = Record<string, string | number>;

const compiled = new Map<string, IntlMessageFormat>();

function formatter(locale: Locale, key: MessageKey): IntlMessageFormat {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    // A page Astro renders outside the middleware (none should) still gets words, in English.
    const catalogue = CATALOGUES[locale] ?? CATALOGUES.en;
    format = new IntlMessageFormat(catalogue[key], INTL_LOCALE[locale] ?? INTL_LOCALE.en, undefined, {
      ignoreTag: true,
    });
    compiled.set(id, format);
  }
  return format;
}

/** The message `key` in `locale`, with `params` filled in. Plain text: escape it where it goes into markup. */
export function t(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return String(formatter(locale, key).format(params));
}

// A private-use character no message or parameter holds, marking where a text parameter goes back in.
const PLACEHOLDER = /\uE000(\d+)\uE000/g;

/**
 * A message with links or emphasis in it, as HTML: `[[text]]` in the message becomes
 * `<a href="…">text</a>` with the hrefs given in order, `**text**` becomes <strong> and a backticked
 * span <code>. Everything
 * else, parameters included, is escaped, so a translation can move a link but never inject markup.
 */
export function tHtml(locale: Locale, key: MessageKey, params: MessageParams = {}, hrefs: string[] = []): string {
  // Text parameters go in as placeholders and come back escaped after the markup is made, so a
  // name with brackets or asterisks in it stays text.
  const texts: string[] = [];
  const placed: MessageParams = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'number') placed[name] = value;
    else placed[name] = `\uE000${texts.push(value) - 1}\uE000`;
  }
  let link = 0;
  return escapeMarkup(t(locale, key, placed))
    .replace(/\[\[(.+?)\]\]/g, (_, text: string) => `<a href="${escapeMarkup(hrefs[link++] ?? '#')}">${text}</a>`)
    .replace(/\*\*(.+?)\*\*/g, (_, text: string) => `<strong>${text}</strong>`)
    .replace(/`(.+?)`/g, (_, text: string) => `<code>${text}</code>`)
    .replace(PLACEHOLDER, (_, i: string) => escapeMarkup(texts[Number(i)]));
}

/**
 * The text before and after parameter `slot` of a message, for placing a component there (a
 * <time>, a span the script fills) wherever the language puts it.
 */
export function tAround(locale: Locale, key: MessageKey, slot: string, params: MessageParams = {}): [string, string] {
  const [before = '', after = ''] = t(locale, key, { ...params, [slot]: '\u0000' }).split('\u0000');
  return [before, after];
}
