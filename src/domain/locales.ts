// The languages Candor ships. One list: the settings (default language), the visitor's language
// switch, the page cache key and the message catalogues all read it.
export const SUPPORTED_LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;

export type Locale = (typeof SUPPORTED_LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}
