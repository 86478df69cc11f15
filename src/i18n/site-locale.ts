// The site's default language: what a visitor sees before choosing one, and what live fragments
// are compared in. One function, so the settings (issue 17a) replace the source in one place.
import { DEFAULT_LOCALE, isLocale, type Locale } from '../domain/locales.ts';

/** CANDOR_LOCALE when it names a shipped language, otherwise English. */
export function siteDefaultLocale(): Locale {
  const configured = process.env.CANDOR_LOCALE;
  return isLocale(configured) ? configured : DEFAULT_LOCALE;
}
