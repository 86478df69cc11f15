// The message catalogues are complete: every shipped language has exactly English's keys, each
// message parses as ICU MessageFormat (intl-messageformat's own parser) with the same parameters
// and links as English, every key is used somewhere in the source and every key the source asks
// for exists. Plus the formatting helpers speak each language (Intl).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, test } from 'vitest';
import { SUPPORTED_LOCALES } from '../src/domain/locales.ts';
import { formatDuration, formatUtc } from '../src/domain/format.ts';
import { CATALOGUES, type MessageKey } from '../src/i18n/catalogues.ts';
import { chooseLocale, localeFromCookie, switchesOnLang } from '../src/i18n/locale-choice.ts';
import { t, tHtml } from '../src/i18n/t.ts';
import { canonicalRequest } from '../src/server/cache-key.ts';

const ROOT = resolve(import.meta.dirname, '..');
const english = CATALOGUES.en;
const keys = Object.keys(english) as MessageKey[];

/** The names of a message's parameters, wherever they sit (plural branches included). */
function parameters(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: unknown[]) => {
    for (const el of elements as { type: number; value?: unknown; options?: Record<string, { value: unknown[] }> }[]) {
      // 1 argument, 2 number, 3 date, 4 time, 5 select, 6 plural (formatjs's TYPE)
      if (el.type >= 1 && el.type <= 6 && typeof el.value === 'string') names.add(el.value);
      for (const option of Object.values(el.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, 'en', undefined, { ignoreTag: true }).getAst());
  return [...names].sort();
}

const links = (message: string) => message.match(/\[\[.+?\]\]/g)?.length ?? 0;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith(join('i18n', 'messages')) ? [] : sourceFiles(path);
    return /\.(ts|astro)$/.test(name) ? [path] : [];
  });
}

describe('catalogues', () => {
  test.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))('%s has exactly the English keys', (locale) => {
    const theirs = Object.keys(CATALOGUES[locale]).sort();
    expect(
      theirs.filter((k) => !(k in english)),
      'keys English does not have',
    ).toEqual([]);
    expect(
      keys.filter((k) => !(k in CATALOGUES[locale])),
      'keys missing',
    ).toEqual([]);
  });

  test.each(SUPPORTED_LOCALES)('every %s message parses, with English’s parameters and links', (locale) => {
    const problems: string[] = [];
    for (const key of keys) {
      const message = CATALOGUES[locale][key];
      if (typeof message !== 'string' || !message.trim()) {
        problems.push(`${key}: empty`);
        continue;
      }
      let theirs: string[];
      try {
        theirs = parameters(message);
      } catch (error) {
        problems.push(`${key}: does not parse (${String(error)})`);
        continue;
      }
      const ours = parameters(english[key]);
      if (theirs.join() !== ours.join()) problems.push(`${key}: parameters ${theirs} instead of ${ours}`);
      if (links(message) !== links(english[key]))
        problems.push(`${key}: ${links(message)} links, English has ${links(english[key])}`);
    }
    expect(problems).toEqual([]);
  });

  test('every key is used in the source, and every key the source asks for exists', () => {
    const files = sourceFiles(join(ROOT, 'src'));
    const source = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const unused = keys.filter((key) => !source.includes(`'${key}'`));
    expect(unused, 'keys no source file names').toEqual([]);
    // The t / tHtml / tAround calls of the .astro pages, which tsc does not check.
    const asked = [...source.matchAll(/\bt(?:Html|Around)?\([^,()]+,\s*'([a-zA-Z_.]+)'/g)].map((m) => m[1]);
    expect(asked.length).toBeGreaterThan(100);
    expect(
      asked.filter((key) => !(key in english)),
      'keys the source asks for that no catalogue has',
    ).toEqual([]);
  });

  test('messages format: plurals follow each language, links keep their place, parameters stay text', () => {
    expect(t('en', 'home.moreOnDay', { count: 1 })).toBe('1 more incident on this day');
    expect(t('en', 'home.moreOnDay', { count: 3 })).toBe('3 more incidents on this day');
    expect(t('de', 'home.moreOnDay', { count: 1 })).toBe('1 weiterer Vorfall an diesem Tag');
    expect(t('fr', 'home.moreOnDay', { count: 2 })).toBe('2 autres incidents ce jour-là');
    expect(t('ja', 'home.moreOnDay', { count: 2 })).toBe('この日のほかのインシデント 2 件');
    expect(tHtml('fr', 'notFound.body', {}, ['/', '/history'])).toBe(
      'Il n’y a rien à cette adresse. <a href="/">Voir l’état actuel</a> ou l’<a href="/history">historique des incidents</a>.',
    );
    expect(tHtml('en', 'confirm.done', { address: '<b>[[x]]</b>', site: 'A & B' })).toBe(
      '<strong>You are subscribed.</strong> &lt;b&gt;[[x]]&lt;/b&gt; will get A &amp; B status updates.',
    );
  });
});

describe('formatting for the locale', () => {
  const at = Date.UTC(2026, 10, 3, 14, 5);
  test('dates and durations use each language’s own forms', () => {
    // Intl puts no-break spaces where the language wants them; compare the words.
    const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
    expect(formatUtc(at, 'en')).toBe('3 Nov 2026, 14:05 UTC');
    expect(formatUtc(at, 'de')).toBe('3. Nov. 2026, 14:05 UTC');
    expect(formatUtc(at, 'ja')).toBe('2026年11月3日 14:05 UTC');
    expect(formatDuration(125 * 60_000, 'en')).toBe('2 h 5 min');
    expect(plain(formatDuration(125 * 60_000, 'de'))).toBe('2 Std., 5 Min.');
    expect(plain(formatDuration(0, 'fr'))).toBe('0 min');
    expect(plain(formatDuration(50 * 3_600_000, 'es'))).toBe('2 d y 2 h');
  });
});

describe('choosing the language', () => {
  test('?lang= wins, then the cookie, then the site default; anything else is ignored', () => {
    expect(chooseLocale('fr', 'candor_lang=de')).toBe('fr');
    expect(chooseLocale('xx', 'a=1; candor_lang=de')).toBe('de');
    expect(chooseLocale(null, 'candor_lang=klingon')).toBe('en');
    expect(localeFromCookie('other_candor_lang=de')).toBeNull();
    expect(switchesOnLang('/history')).toBe(true);
    expect(switchesOnLang('/history.atom')).toBe(false);
    expect(switchesOnLang('/widget')).toBe(false);
  });

  test('the cache key names one of the shipped languages and nothing else the client sends', () => {
    expect(canonicalRequest('/', '', '/', 'candor_lang=de').key).toBe('de|/');
    expect(canonicalRequest('/', '', '/', 'candor_lang=zz').key).toBe('en|/');
    expect(canonicalRequest('/history', 'lang=ja&month=2026-10&x=1')).toEqual({
      key: 'ja|/history?lang=ja&month=2026-10',
      url: '/history?lang=ja&month=2026-10',
      searched: false,
    });
    expect(canonicalRequest('/', 'lang=zz').key).toBe('en|/');
    // The JSON API and the badge are the same in every language: one entry.
    expect(canonicalRequest('/api/v2/status.json', '', '/api/v2/status.json', 'candor_lang=de').key).toBe(
      '/api/v2/status.json',
    );
  });
});
