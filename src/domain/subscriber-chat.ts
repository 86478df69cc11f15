// Chat channels subscribed by the public: a Slack, Microsoft Teams, Discord or Google Chat
// incoming-webhook URL. A confirmation with a link is posted into the channel, and nothing else is
// sent there until someone in the channel follows it: the channel's own double opt-in. Answers
// never reveal whether the channel was already subscribed.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { subscribers } from '../db/schema/index.ts';
import type { Db } from '../db/client.ts';
import { generateToken, hashToken } from './auth/tokens.ts';
import { chatUrlProblem } from './chat-webhooks.ts';
import { fieldError, oneOf, parseInput } from './errors.ts';
import { CHAT_PLATFORMS } from './notify/kinds.ts';
import { enqueuePersonal } from './notify/outbox.ts';
import { outboundPolicy, urlRefusal, type OutboundPolicy } from './outbound-rules.ts';
import { hitRateLimit } from './rate-limit.ts';
import {
  CONFIRM_LINK_TTL_MS,
  SUBSCRIBE_LIMITS,
  checkComponents,
  componentChoiceSchema,
  setComponents,
} from './subscriber-rules.ts';
import { httpUrlSchema } from './urls.ts';
import type { SubscribeContext } from './subscriber-self-service.ts';

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
  const ids = await checkComponents(db, data.components);
  const token = generateToken();
  const confirm = { confirmTokenHash: hashToken(token), confirmExpiresAt: now + CONFIRM_LINK_TTL_MS };
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.kind, data.platform), eq(subscribers.address, data.url)));
    if (existing?.state === 'active') {
      await enqueuePersonal(tx, 'subscription.already', existing, {}, now);
      return;
    }
    const choice = {
      allComponents: data.components === 'all',
      ...confirm,
      // The channel is told in the language of the page it was subscribed on.
      ...(context.locale ? { locale: context.locale } : {}),
    };
    const [row] = existing
      ? await tx
          .update(subscribers)
          .set({ ...choice, state: 'pending', unsubscribedAt: null })
          .where(eq(subscribers.id, existing.id))
          .returning()
      : await tx
          .insert(subscribers)
          .values({
            kind: data.platform,
            address: data.url,
            state: 'pending',
            manageToken: generateToken(),
            source: 'public',
            createdAt: now,
            ...choice,
          })
          .returning();
    await setComponents(tx, row.id, ids);
    await enqueuePersonal(tx, 'subscription.confirm', row, { token, expiresAt: confirm.confirmExpiresAt }, now);
  });
}
