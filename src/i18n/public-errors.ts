// The refusals a visitor can meet on the public forms and links (subscribing, confirming,
// managing), in the visitor's language. The domain words them in English for the API and the
// admin; here each known sentence is matched to its message. A sentence not listed (a tampered
// form's, say) stays English. tests/languages-errors-server.test.ts provokes each one through the
// real server, so a change of wording in the domain fails there instead of slipping back to English.
import type { Locale } from '../domain/locales.ts';
import { t, type MessageKey } from './t.ts';

const KNOWN: Record<string, MessageKey> = {
  'Email is required': 'error.emailRequired',
  'Email must be an email address like name@example.com': 'error.emailInvalid',
  'Email must be at most 254 characters': 'error.emailTooLong',
  'Components: choose at least one component, or all of them': 'error.componentsNone',
  'Too many subscription requests from your network. Try again in an hour.': 'error.rateIp',
  'Too many subscription requests for this address. Check your inbox (and spam folder) for the link we sent, or try again in an hour.':
    'error.rateAddress',
  'This confirmation link is not valid. It may have been used already (the emails we send have a link to manage your subscription) or copied incompletely.':
    'error.confirmInvalid',
  'This confirmation link has expired. Subscribe again and we will send you a new one.': 'error.confirmExpired',
  'This subscription link is not valid. Use the link from the most recent email we sent you.': 'error.manageInvalid',
  // Signing in to read what audiences see (src/domain/audiences)
  'This sign-in link is not valid. It may have been used already or copied incompletely. Ask for a new one.':
    'error.linkInvalid',
  'This sign-in link has expired. Ask for a new one; links work for 15 minutes.': 'error.linkExpired',
  'This address no longer has access to any part of this status page.': 'error.notMember',
  'The name or the password is wrong.': 'error.wrongPassword',
  'Too many wrong passwords. Wait a few minutes and try again.': 'error.tooManyPasswords',
  'Too many sign-in links asked for from your network. Try again in an hour.': 'error.linkRateIp',
  'Too many sign-in links asked for this address. Use the most recent email we sent, or try again in an hour.':
    'error.linkRateAddress',
};

/** One English sentence in `locale`, when it is one of the known ones. */
export function localiseSentence(locale: Locale, sentence: string): string {
  const key = KNOWN[sentence];
  return key ? t(locale, key) : sentence;
}

/** An InputError's message and sentences in `locale` (English passes through unchanged). */
export function localiseError<E extends { message: string; sentences?: string[] }>(
  locale: Locale,
  error: E,
): { message: string; sentences?: string[] } {
  if (locale === 'en') return error;
  const sentences = error.sentences?.map((s) => localiseSentence(locale, s));
  const message =
    sentences && sentences.length > 1
      ? sentences.join(locale === 'ja' ? '。' : '; ')
      : localiseSentence(locale, error.message);
  return { message, sentences };
}
