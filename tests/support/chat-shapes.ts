// Checks of each chat platform's payload against its documented shape and limits, leaning on
// what the platforms publish: Discord's and Slack's official TypeScript types (checked by tsc
// where the builders' output is assigned to them, in chat-formats-types.ts) and the Adaptive Cards
// SDK, which parses a Teams card and reports what it does not understand.
import { createRequire } from 'node:module';
import type { KnownBlock } from '@slack/types';
import type { RESTPostAPIWebhookWithTokenJSONBody } from 'discord-api-types/v10';
import { expect } from 'vitest';

// The SDK's ES build imports without file extensions, which Node does not resolve; its UMD build loads.
const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
    toJSON(): any;
  };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

const chars = (s: string | undefined) => [...(s ?? '')].length;

/** Slack Block Kit: at most 50 blocks, section texts up to 3000, a plain-text header up to 150. */
export function checkSlack(body: { text: string; blocks: KnownBlock[] }): string {
  expect(typeof body.text).toBe('string');
  expect(body.text.length).toBeGreaterThan(0);
  expect(body.blocks.length).toBeLessThanOrEqual(50);
  for (const block of body.blocks) {
    expect(['header', 'section', 'divider', 'context']).toContain(block.type);
    if (block.type === 'header') {
      expect(block.text.type).toBe('plain_text');
      expect(chars(block.text.text)).toBeLessThanOrEqual(150);
    }
    if (block.type === 'section') expect(chars(block.text!.text)).toBeLessThanOrEqual(3000);
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(10);
  }
  return JSON.stringify(body.blocks);
}

/** Discord: up to 10 embeds; title 256, description 4096, footer 2048, 6000 in all; no mention notifies. */
export function checkDiscord(body: RESTPostAPIWebhookWithTokenJSONBody): string {
  const embeds = body.embeds ?? [];
  expect(embeds.length).toBeGreaterThan(0);
  expect(embeds.length).toBeLessThanOrEqual(10);
  let total = 0;
  for (const e of embeds) {
    expect(chars(e.title)).toBeLessThanOrEqual(256);
    expect(chars(e.description)).toBeLessThanOrEqual(4096);
    expect(chars(e.footer?.text)).toBeLessThanOrEqual(2048);
    expect(e.fields ?? []).toHaveLength(0);
    total += chars(e.title) + chars(e.description) + chars(e.footer?.text);
  }
  expect(total).toBeLessThanOrEqual(6000);
  expect(body.allowed_mentions).toEqual({ parse: [] });
  return embeds.map((e) => `${e.title}\n${e.description}\n${e.url ?? ''}`).join('\n');
}

/** Teams Workflows: a message whose one attachment is an Adaptive Card the SDK parses without complaint. */
export function checkTeams(body: any): string {
  expect(body.type).toBe('message');
  expect(body.attachments).toHaveLength(1);
  const [attachment] = body.attachments;
  expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  card.parse(attachment.content, context);
  const problems = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  expect(problems).toEqual([]);
  expect(card.validateProperties().validationEvents.map((e) => e.message)).toEqual([]);
  // Nothing was dropped in parsing: the SDK's card says what was sent.
  const parsed = card.toJSON();
  expect(parsed.body).toHaveLength(attachment.content.body.length);
  expect(parsed.actions.map((a: { url: string }) => a.url)).toEqual(
    attachment.content.actions.map((a: { url: string }) => a.url),
  );
  // Teams refuses messages over about 28 KB.
  expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(28_000);
  return JSON.stringify(attachment.content);
}

/** Google Chat: a text fallback and one cardsV2 card of text paragraphs and link buttons. */
export function checkGoogleChat(body: any): string {
  expect(typeof body.text).toBe('string');
  expect(body.cardsV2).toHaveLength(1);
  const { cardId, card } = body.cardsV2[0];
  expect(typeof cardId).toBe('string');
  expect(typeof card.header.title).toBe('string');
  for (const section of card.sections)
    for (const widget of section.widgets) {
      const keys = Object.keys(widget);
      expect(keys).toHaveLength(1);
      expect(['textParagraph', 'buttonList']).toContain(keys[0]);
      if (widget.buttonList)
        for (const b of widget.buttonList.buttons) expect(b.onClick.openLink.url).toMatch(/^https?:\/\//);
    }
  expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(32_000);
  return JSON.stringify(card);
}

export const CHECKS: Record<string, (body: any) => string> = {
  slack: checkSlack,
  discord: checkDiscord,
  teams: checkTeams,
  google_chat: checkGoogleChat,
};
