// One chat message in each platform's native format, inside each platform's documented limits:
// Slack Block Kit (50 blocks, 3000 characters per section text, 150 per header), a Microsoft Teams
// Adaptive Card sent as a Workflows message attachment, Discord embeds (title 256, description
// 4096, footer 2048, 6000 in all) and Google Chat cardsV2. Text from staff is escaped for each
// platform's markup, so an update cannot ping a channel (@everyone, <!channel>) or forge a link.
import { escapeMarkup } from '../format.ts';
import type { ChatPlatform } from './kinds.ts';
import type { ChatMessage, ChatTone } from './chat-message.ts';

/** Cuts `text` to at most `max` characters (code points), ending with "…" when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** `clip` for escaped text: a cut never leaves half an entity such as "&am". */
const clipEscaped = (text: string, max: number) => clip(text, max).replace(/&[a-z#0-9]{0,5}…$/, '…');

/** Characters as the platforms count them (code points). */
export const length = (s: string) => [...s].length;

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, contextElements: 10, fallbackText: 4000 };
export const DISCORD_LIMITS = { title: 256, description: 4096, footer: 2048, embeds: 10, total: 6000 };
const DISCORD_PARAGRAPH = 1500;
/** Teams takes about 28 KB per message; Google Chat 32,000 bytes. Both are kept well under. */
export const CARD_TEXT_LIMIT = 4000;
export const CARD_TOTAL_BYTES = 16_000;

/**
 * Paragraphs cut to `each` characters and, together, to `totalBytes` of UTF-8; what does not fit
 * is replaced by a pointer to the full text behind the message's link.
 */
export function fitParagraphs(paragraphs: string[], each: number, totalBytes: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const p of paragraphs) {
    const cut = clipEscaped(p, each);
    const size = Buffer.byteLength(cut);
    if (used + size > totalBytes) {
      kept.push('… (the rest is on the status page)');
      break;
    }
    kept.push(cut);
    used += size;
  }
  return kept;
}

const TONE_COLOURS: Record<ChatTone, number> = {
  critical: 0xd92d20,
  warning: 0xdc6803,
  good: 0x079455,
  info: 0x1a56db,
};

// Slack's mrkdwn: only &, < and > are special; escaping them stops <!channel> and forged <url|links>.
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slackLink = (url: string, label: string) =>
  `<${url.replace(/[<>|]/g, encodeURIComponent)}|${slackEscape(label)}>`;

export function slackPayload(m: ChatMessage) {
  const sections = fitParagraphs(m.paragraphs.map(slackEscape), SLACK_LIMITS.sectionText, CARD_TOTAL_BYTES * 2)
    .slice(0, SLACK_LIMITS.blocks - 4)
    .map((p) => ({
      type: 'section' as const,
      text: { type: 'mrkdwn' as const, text: p },
    }));
  const blocks = [
    { type: 'header' as const, text: { type: 'plain_text' as const, text: clip(m.title, SLACK_LIMITS.headerText) } },
    ...sections,
    ...(m.action
      ? [
          {
            type: 'section' as const,
            text: { type: 'mrkdwn' as const, text: `*${slackLink(m.action.url, m.action.label)}*` },
          },
        ]
      : []),
    { type: 'divider' as const },
    {
      type: 'context' as const,
      elements: m.links.map((l) => ({ type: 'mrkdwn' as const, text: slackLink(l.url, l.label) })),
    },
  ];
  // `text` is the notification and screen-reader fallback for the blocks.
  return { text: clipEscaped(slackEscape(m.title), SLACK_LIMITS.fallbackText), blocks };
}

export function teamsPayload(m: ChatMessage) {
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: m.title, size: 'Large', weight: 'Bolder', wrap: true },
      ...fitParagraphs(m.paragraphs, CARD_TEXT_LIMIT, CARD_TOTAL_BYTES).map((p) => ({
        type: 'TextBlock',
        text: p,
        wrap: true,
      })),
    ],
    actions: [...(m.action ? [m.action] : []), ...m.links].map((l) => ({
      type: 'Action.OpenUrl',
      title: l.label,
      url: l.url,
    })),
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

// Discord markdown: escape its markup characters so staff text stays text and mentions stay inert.
const discordEscape = (s: string) => s.replace(/([\\*_~`|>#[\]()-])/g, '\\$1').replace(/@/g, '@\u200b');

export function discordPayload(m: ChatMessage) {
  const links = m.links.map((l) => `[${discordEscape(l.label)}](${l.url})`).join(' · ');
  const title = clip(m.title, DISCORD_LIMITS.title);
  // The links must survive the cut, so the paragraphs get what is left of the description.
  const room = DISCORD_LIMITS.description - length(links) - 2;
  // Each paragraph gets a share, so a very long update does not push out the affected components.
  const paragraphs = m.paragraphs.map((p) => clip(discordEscape(p), DISCORD_PARAGRAPH));
  const description = `${clip(paragraphs.join('\n\n'), room)}\n\n${links}`;
  // Title, description and footer together stay within the embed's total.
  const footerRoom = Math.min(DISCORD_LIMITS.footer, DISCORD_LIMITS.total - length(title) - length(description));
  const embed = {
    title,
    ...(m.action ? { url: m.action.url } : {}),
    description,
    color: TONE_COLOURS[m.tone],
    ...(m.action && footerRoom > 1 ? { footer: { text: clip(`${m.action.label}: ${m.action.url}`, footerRoom) } } : {}),
  };
  // No mention in this message may notify anyone, whatever the text says.
  return { embeds: [embed], allowed_mentions: { parse: [] as [] } };
}

// Google Chat card text takes a small HTML subset: escape everything, then add our own links.
export function googleChatPayload(m: ChatMessage) {
  const buttons = [...(m.action ? [m.action] : []), ...m.links].map((l) => ({
    text: l.label,
    onClick: { openLink: { url: l.url } },
  }));
  return {
    text: m.title,
    cardsV2: [
      {
        cardId: 'candor-status',
        card: {
          header: { title: clip(m.title, 200) },
          sections: [
            {
              // Escaped first, so the budget counts the bytes actually sent.
              widgets: fitParagraphs(m.paragraphs.map(escapeMarkup), CARD_TEXT_LIMIT, CARD_TOTAL_BYTES).map((p) => ({
                textParagraph: { text: p.replace(/\n/g, '<br>') },
              })),
            },
            { widgets: [{ buttonList: { buttons } }] },
          ],
        },
      },
    ],
  };
}

/** The JSON body posted to a channel of `platform`. */
export function chatBody(platform: ChatPlatform, m: ChatMessage): string {
  switch (platform) {
    case 'slack':
      return JSON.stringify(slackPayload(m));
    case 'teams':
      return JSON.stringify(teamsPayload(m));
    case 'discord':
      return JSON.stringify(discordPayload(m));
    case 'google_chat':
      return JSON.stringify(googleChatPayload(m));
  }
}
