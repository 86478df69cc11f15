// What a chat channel is told, before any platform's layout: the same words as the email (one
// source for what is said), a tone for the colour, the link onward, and the manage and
// unsubscribe links that every chat message carries, confirmations included.
import { t } from '../../i18n/t.ts';
import { formatInZone } from '../format.ts';
import { DEFAULT_LOCALE, type Locale } from '../locales.ts';
import type { IncidentPayload } from './events.ts';
import { broadcastParts, linkLocale } from './email.ts';
import type { NotificationKind } from './kinds.ts';
import { confirmLink, subscriptionLinks, type MessageContext } from './links.ts';

export type ChatTone = 'critical' | 'warning' | 'good' | 'info';

export interface ChatMessage {
  title: string;
  /** Plain paragraphs; update texts keep their Markdown source. */
  paragraphs: string[];
  action: { label: string; url: string } | null;
  /** Manage and unsubscribe, in that order. */
  links: { label: string; url: string }[];
  tone: ChatTone;
}

export interface ChatSource {
  kind: NotificationKind;
  payload: unknown;
  manageToken: string;
  /** The language of the page the channel was subscribed on. */
  locale?: Locale;
}

function toneOf(kind: NotificationKind, payload: unknown): ChatTone {
  if (kind.startsWith('incident.')) {
    const { incident } = payload as IncidentPayload;
    if (incident.status === 'resolved') return 'good';
    return incident.impact === 'critical' || incident.impact === 'major' ? 'critical' : 'warning';
  }
  return kind === 'maintenance.completed' ? 'good' : 'info';
}

/** The chat message a delivery carries. Deterministic, like the email: a retry posts the same bytes. */
export function chatMessage(ctx: MessageContext, source: ChatSource): ChatMessage {
  const locale = source.locale ?? DEFAULT_LOCALE;
  const site = ctx.siteName;
  const manage = subscriptionLinks(ctx, source.manageToken, linkLocale(locale));
  const links = [
    { label: t(locale, 'email.chooseComponents'), url: manage.manage },
    { label: t(locale, 'chat.unsubscribe'), url: manage.unsubscribe },
  ];
  const parts = broadcastParts(ctx, source.kind, source.payload, locale);
  if (parts) {
    const prefix = `[${ctx.siteName}] `;
    const title = parts.subject.startsWith(prefix) ? parts.subject.slice(prefix.length) : parts.subject;
    return {
      title: `${ctx.siteName}: ${title}`,
      paragraphs: parts.text,
      action: parts.action ?? null,
      links,
      tone: toneOf(source.kind, source.payload),
    };
  }
  switch (source.kind) {
    case 'subscription.confirm': {
      const { token, expiresAt } = source.payload as { token: string; expiresAt: number };
      return {
        title: t(locale, 'chat.confirmTitle', { site }),
        paragraphs: [
          t(locale, 'chat.confirmAsked', { site }),
          t(locale, 'chat.confirmExpires', { time: formatInZone(expiresAt, ctx.timeZone, locale) }),
        ],
        action: { label: t(locale, 'chat.confirmAction'), url: confirmLink(ctx, token, linkLocale(locale)) },
        links,
        tone: 'info',
      };
    }
    case 'subscription.already':
      return {
        title: t(locale, 'chat.alreadyTitle', { site }),
        paragraphs: [t(locale, 'chat.alreadyBody')],
        action: null,
        links,
        tone: 'info',
      };
    default:
      throw new Error(`Notifications of kind ${source.kind} are not sent to chat channels.`);
  }
}
