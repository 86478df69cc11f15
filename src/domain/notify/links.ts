// The links every message carries, built in one place from the page's public URL.
import type { Locale } from '../locales.ts';
export interface MessageContext {
  siteName: string;
  /** The page's public address without a trailing slash, e.g. https://status.example.com */
  publicUrl: string;
  /** The zone the page shows times in (a setting): messages and feeds read the same times as the page. */
  timeZone: string;
}

/** `?lang=`: a link from an email opens the page in the email's language, and remembers it. */
const inLanguage = (url: string, locale: Locale | undefined) => (locale ? `${url}?lang=${locale}` : url);

export const subscriptionLinks = (ctx: MessageContext, manageToken: string, locale?: Locale) => ({
  manage: inLanguage(`${ctx.publicUrl}/subscription/${manageToken}`, locale),
  unsubscribe: inLanguage(`${ctx.publicUrl}/subscription/${manageToken}/unsubscribe`, locale),
  /** For mail providers' one-click POST (RFC 8058): nobody reads its answer. */
  oneClick: `${ctx.publicUrl}/subscription/${manageToken}/unsubscribe`,
});

export const passwordLink = (ctx: MessageContext, token: string) => `${ctx.publicUrl}/admin/password?token=${token}`;

export const confirmLink = (ctx: MessageContext, token: string, locale?: Locale) =>
  inLanguage(`${ctx.publicUrl}/subscribe/confirm/${token}`, locale);

export const incidentLink = (ctx: MessageContext, id: number, locale?: Locale) =>
  inLanguage(`${ctx.publicUrl}/incidents/${id}`, locale);

export const postmortemLink = (ctx: MessageContext, slug: string, locale?: Locale) =>
  inLanguage(`${ctx.publicUrl}/postmortems/${slug}`, locale);

export const maintenanceLink = (ctx: MessageContext, id: number, locale?: Locale) =>
  inLanguage(`${ctx.publicUrl}/maintenance/${id}`, locale);

export const signInLink = (ctx: MessageContext, token: string, locale?: Locale) =>
  inLanguage(`${ctx.publicUrl}/access/link/${token}`, locale);
