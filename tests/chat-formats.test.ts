// Each chat platform's payload stays inside its documented limits whatever staff write: a very
// long update, many paragraphs, a long title, and markup that would ping a channel or forge a
// link. The builders' output is also assigned to Slack's and Discord's official types, so tsc
// checks the shapes against what the platforms publish.
import type { KnownBlock } from '@slack/types';
import type { RESTPostAPIWebhookWithTokenJSONBody } from 'discord-api-types/v10';
import { describe, expect, test } from 'vitest';
import {
  chatBody,
  discordPayload,
  googleChatPayload,
  slackPayload,
  teamsPayload,
} from '../src/domain/notify/chat-formats.ts';
import type { ChatMessage } from '../src/domain/notify/chat-message.ts';
import { CHAT_PLATFORMS } from '../src/domain/notify/kinds.ts';
import { CHECKS } from './support/chat-shapes.ts';

const links = [
  { label: 'Choose components', url: 'https://status.example.com/subscription/abc' },
  { label: 'Unsubscribe this channel', url: 'https://status.example.com/subscription/abc/unsubscribe' },
];

const huge: ChatMessage = {
  title: `Example: ${'Very long title '.repeat(40)}`,
  paragraphs: [
    `@everyone <!channel> <https://evil.example|click> & [forged](https://evil.example) ${'x'.repeat(30_000)}`,
    ...Array.from({ length: 80 }, (_, i) => `Paragraph ${i} ${'é'.repeat(200)}`),
  ],
  action: { label: 'Follow this incident', url: 'https://status.example.com/incidents/7' },
  links,
  tone: 'critical',
};

describe('chat payloads', () => {
  test('match the platforms’ official types', () => {
    const blocks: KnownBlock[] = slackPayload(huge).blocks;
    const discord: RESTPostAPIWebhookWithTokenJSONBody = discordPayload(huge);
    expect(blocks.length).toBeGreaterThan(0);
    expect(discord.embeds).toHaveLength(1);
  });

  test.each(CHAT_PLATFORMS)('%s: within its limits, links kept, staff text inert', (platform) => {
    const body = JSON.parse(chatBody(platform, huge));
    const text = CHECKS[platform](body);
    for (const l of links) expect(text).toContain(l.url);
    // Teams text is not markup that could ping or link; the others escape theirs.
    if (platform !== 'teams') {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<https://evil.example|click>');
    }
  });

  test('Discord mentions are broken and notify nobody; Slack and Google Chat escape their markup', () => {
    const discord = discordPayload(huge).embeds[0].description;
    expect(discord).not.toMatch(/@everyone/);
    expect(discord).toContain('\\[forged\\]');
    const slack = JSON.stringify(slackPayload(huge));
    expect(slack).toContain('&lt;!channel&gt;');
    const google = JSON.stringify(googleChatPayload(huge));
    expect(google).toContain('&lt;!channel&gt;');
    // A Teams TextBlock is not HTML; its text is passed as written.
    expect(JSON.stringify(teamsPayload(huge))).toContain('@everyone');
  });
});
