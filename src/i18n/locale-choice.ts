// Which language a public request is answered in: `?lang=` when it names a shipped language, else
// the visitor's remembered choice (a cookie), else the site's default. One rule for the Astro
// middleware (what the page says) and the front server (which cache entry it is): the answer is
// always one of SUPPORTED_LOCALES, so the cache holds at most one entry per language and page.
// Imports nothing from Astro, so src/server can use it.
import { isLocale, type Locale } from '../domain/locales.ts';
import { siteDefaultLocale } from './site-locale.ts';

export const LANG_COOKIE = 'candor_lang';
export const LANG_PARAM = 'lang';
/** A year: the choice is a preference, not a session. */
export const LANG_COOKIE_MAX_AGE = 365 * 24 * 3600;

const COOKIE_PATTERN = new RegExp(`(?:^|;)\\s*${LANG_COOKIE}=([^;]*)`);

/** The remembered language in a Cookie header, or null when absent or not a shipped language. */
export function localeFromCookie(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const value = COOKIE_PATTERN.exec(header)?.[1]?.trim();
  return isLocale(value) ? value : null;
}

/** The shipped language named by a `?lang=` value, or null. */
export function localeFromParam(value: string | null | undefined): Locale | null {
  return isLocale(value) ? value : null;
}

export function chooseLocale(param: string | null | undefined, cookieHeader: string | null | undefined): Locale {
  return localeFromParam(param) ?? localeFromCookie(cookieHeader) ?? siteDefaultLocale();
}

/**
 * Pages where `?lang=` switches the visitor's language: the answer sets the cookie and sends them
 * to the same page without the parameter. Feeds, the calendar, the widget and live fragments are
 * read by programs and other sites, so there `?lang=` only picks the language of that answer.
 */
export function switchesOnLang(path: string): boolean {
  if (path.startsWith('/live/') || path === '/widget') return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}
