// Where each chat platform's incoming webhooks live, so that in production a pasted URL must
// belong to the platform it claims (a customer cannot aim Candor at an arbitrary server), and how
// a chat subscriber is named on pages without showing its URL, which is the channel's secret.
import { CHAT_PLATFORM_LABELS, isChatPlatform, type ChatPlatform } from './notify/kinds.ts';

interface WebhookHome {
  /** Host names, exact or as a `.suffix`. */
  hosts: string[];
  path: RegExp;
  example: string;
}

const HOMES: Record<ChatPlatform, WebhookHome> = {
  slack: { hosts: ['hooks.slack.com'], path: /^\/services\//, example: 'https://hooks.slack.com/services/…' },
  discord: {
    hosts: ['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com'],
    path: /^\/api\/(v\d+\/)?webhooks\//,
    example: 'https://discord.com/api/webhooks/…',
  },
  google_chat: {
    hosts: ['chat.googleapis.com'],
    path: /^\/v1\/spaces\/[^/]+\/messages$/,
    example: 'https://chat.googleapis.com/v1/spaces/…/messages?key=…',
  },
  // Workflows (Power Automate) and the older Office 365 connectors.
  teams: {
    hosts: ['.logic.azure.com', '.environment.api.powerplatform.com', '.webhook.office.com'],
    path: /^\//,
    example:
      'the workflow\'s "When a Teams webhook request is received" URL (…logic.azure.com/… or …powerplatform.com/…)',
  },
};

const hostMatches = (host: string, pattern: string) =>
  pattern.startsWith('.') ? host.endsWith(pattern) && host.length > pattern.length : host === pattern;

/** Why `value` is not an incoming webhook of `platform`, or null when it is one. */
export function chatUrlProblem(platform: ChatPlatform, value: string): string | null {
  const home = HOMES[platform];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be the webhook address ${CHAT_PLATFORM_LABELS[platform]} gives you: ${home.example}`;
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' || !home.hosts.some((h) => hostMatches(host, h)) || !home.path.test(url.pathname)) {
    return `must be the webhook address ${CHAT_PLATFORM_LABELS[platform]} gives you: ${home.example}`;
  }
  return null;
}

/**
 * Where a chat channel's webhook points, safe to show: its host and the URL's last characters (the
 * rest is the channel's secret), or null when the address is no URL.
 */
export function chatChannelWhere(address: string): string | null {
  let host: string;
  try {
    host = new URL(address).host;
  } catch {
    return null;
  }
  return `${host}, …${address.replace(/[/?#=&]+$/, '').slice(-6)}`;
}

/**
 * How a subscriber is named to people: an email address or webhook URL as it is, a chat channel
 * by its platform and chatChannelWhere. The public pages say it in the reader's language
 * (src/i18n/labels.ts).
 */
export function subscriberLabel(subscriber: { kind: string; address: string }): string {
  if (!isChatPlatform(subscriber.kind)) return subscriber.address;
  const where = chatChannelWhere(subscriber.address);
  return `${CHAT_PLATFORM_LABELS[subscriber.kind]} channel${where ? ` (${where})` : ''}`;
}
