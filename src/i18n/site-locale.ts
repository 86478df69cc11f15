// The site's default language: what a visitor sees before choosing one, and what live fragments
// are compared in. It is a setting (`defaultLocale`, src/domain/site-settings.ts); the server reads
// it at start and again whenever the change feed says the settings changed, so asking costs
// nothing per request. Kept on globalThis: the server and the pages' bundled copy of this module
// must share one value.
import { DEFAULT_LOCALE, isLocale, type Locale } from '../domain/locales.ts';

const KEY = Symbol.for('candor.siteDefaultLocale');
const shared = globalThis as typeof globalThis & { [KEY]?: Locale };

/** The settings' default language once read; before that (CLI, tests of the domain) CANDOR_LOCALE or English. */
export function siteDefaultLocale(): Locale {
  const known = shared[KEY];
  if (known) return known;
  const configured = process.env.CANDOR_LOCALE;
  return isLocale(configured) ? configured : DEFAULT_LOCALE;
}

/** Called with the settings' value at start, after a change on this instance and from the change feed. */
export function setSiteDefaultLocale(locale: Locale): boolean {
  const changed = shared[KEY] !== locale;
  shared[KEY] = locale;
  return changed;
}
