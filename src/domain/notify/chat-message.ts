// What a chat channel is told, before any platform's layout: the same words as the email (one
// source for what is said), a tone for the colour, the link onward, and the manage and
// unsubscribe links that every chat message carries, confirmations included.
import { formatInZone } from '../format.ts';
import type { IncidentPayload } from './events.ts';
import { broadcastParts } from './email.ts';
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
  const manage = subscriptionLinks(ctx, source.manageToken);
  const links = [
    { label: 'Choose components', url: manage.manage },
    { label: 'Unsubscribe this channel', url: manage.unsubscribe },
  ];
  const parts = broadcastParts(ctx, source.kind, source.payload);
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
        title: `Confirm ${ctx.siteName} status updates in this channel`,
        paragraphs: [
          `Someone asked to post ${ctx.siteName} status updates into this channel. Nothing more is posted here until someone in the channel confirms.`,
          `The link works until ${formatInZone(expiresAt, ctx.timeZone)}. If nobody here asked for this, ignore it.`,
        ],
        action: { label: 'Confirm the subscription', url: confirmLink(ctx, token) },
        links,
        tone: 'info',
      };
    }
    case 'subscription.already':
      return {
        title: `This channel already gets ${ctx.siteName} status updates`,
        paragraphs: [
          `Someone asked to subscribe this channel again. It is already subscribed, so nothing has changed.`,
        ],
        action: null,
        links,
        tone: 'info',
      };
    default:
      throw new Error(`Notifications of kind ${source.kind} are not sent to chat channels.`);
  }
}
