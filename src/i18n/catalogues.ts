// Every shipped language's messages, by locale. English is the reference: its keys are the type
// every other catalogue must match exactly (tsc refuses a missing or extra key; tests/i18n.test.ts
// checks the placeholders and that every key is used).
import type { Locale } from '../domain/locales.ts';
import type { Catalogue, MessageKey } from './catalogue-type.ts';
import { en } from './messages/en.ts';
import { de } from './messages/de.ts';
import { fr } from './messages/fr.ts';
import { es } from './messages/es.ts';
import { ja } from './messages/ja.ts';

export type { Catalogue, MessageKey };

export const CATALOGUES: Record<Locale, Catalogue> = { en, de, fr, es, ja };

/** Each language's name in itself, for the language switch. */
export const LANGUAGE_NAMES: Record<Locale, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  ja: '日本語',
};
