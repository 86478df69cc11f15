// Chat channels subscribed by the public: a Slack, Microsoft Teams, Discord or Google Chat
// incoming-webhook URL. A confirmation with a link is posted into the channel, and nothing else is
// sent there until someone in the channel follows it: the channel's own double opt-in. Answers
// never reveal whether the channel was already subscribed.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { chatUrlProblem } from './chat-webhooks.ts';
import { fieldError, oneOf, parseInput } from './errors.ts';
import { CHAT_PLATFORMS } from './notify/kinds.ts';
import { outboundPolicy, urlRefusal, type OutboundPolicy } from './outbound-rules.ts';
import { hitRateLimit } from './rate-limit.ts';
import { SUBSCRIBE_LIMITS, componentChoiceSchema } from './subscriber-rules.ts';
import { httpUrlSchema } from './urls.ts';
import { startOptIn, type SubscribeContext } from './subscriber-optin.ts';

export const chatSubscribeSchema = z.object({
  platform: oneOf(CHAT_PLATFORMS),
  url: httpUrlSchema,
  components: componentChoiceSchema.default('all'),
});

/**
 * Starts (or restarts) a chat channel's subscription: checks the URL (public address, https and
 * the platform's own webhook host in production), then queues the confirmation for the channel.
 */
export async function requestChatSubscription(
  db: Db,
  input: unknown,
  context: SubscribeContext & { policy?: OutboundPolicy },
): Promise<void> {
  const now = context.now ?? Date.now();
  const data = parseInput(chatSubscribeSchema, input);
  const policy = context.policy ?? outboundPolicy();
  const refusal = urlRefusal(data.url, policy);
  if (refusal) throw fieldError('url', refusal);
  // In production only the platform's own webhook hosts; a test or private setup may use others.
  const problem = policy.httpsOnly ? chatUrlProblem(data.platform, data.url) : null;
  if (problem) throw fieldError('url', problem);
  await hitRateLimit(
    db,
    `subscribe:ip:${context.ip}`,
    SUBSCRIBE_LIMITS.perIp,
    'Too many subscription requests from your network. Try again in an hour.',
    now,
  );
  // The URL is the channel's secret: the limit's key is its hash, not the URL.
  await hitRateLimit(
    db,
    `subscribe:chat:${createHash('sha256').update(data.url).digest('hex')}`,
    SUBSCRIBE_LIMITS.perAddress,
    'Too many subscription requests for this channel. Look in the channel for the confirmation we posted, or try again in an hour.',
    now,
  );
  await startOptIn(db, { kind: data.platform, address: data.url, components: data.components }, context);
}
