// The double opt-in every public subscription starts with, whatever the channel (an email address
// or a chat channel's webhook URL): a new or lapsed subscription is stored pending with a
// confirmation link; an active one gets a note with its manage link instead and keeps its choices.
// Either way the caller sees the same answer, so nobody learns who is subscribed.
// A member of an audience (issue 20) who subscribes while signed in may choose the components
// their audiences see, and the subscription is told about them from then on (subscriber_audiences).
import { and, eq } from 'drizzle-orm';
import { subscriberAudiences, subscribers } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { loadPublicVisibility, type Visibility } from './audiences/visibility.ts';
import { generateToken, hashToken } from './auth/tokens.ts';
import type { Locale } from './locales.ts';
import type { SubscriberKind } from './notify/kinds.ts';
import { enqueuePersonal } from './notify/outbox.ts';
import { CONFIRM_LINK_TTL_MS, checkComponents, setComponents } from './subscriber-rules.ts';

export interface SubscribeContext {
  ip: string;
  now?: number;
  /** The language of the page subscribed on: messages, the confirmation first, are in it. */
  locale?: Locale;
  /** What the subscriber may choose and hear about: the public's unless a signed-in viewer's. */
  visibility?: Visibility;
}

export interface OptInRequest {
  kind: SubscriberKind;
  /** A lower-cased email address or a webhook URL. */
  address: string;
  components: 'all' | number[];
}

export async function startOptIn(db: Db, request: OptInRequest, context: SubscribeContext): Promise<void> {
  const now = context.now ?? Date.now();
  const visibility = context.visibility ?? (await loadPublicVisibility(db));
  const ids = await checkComponents(db, request.components, visibility);
  const audienceIds = visibility.viewer.audienceIds;
  const token = generateToken();
  const confirm = { confirmTokenHash: hashToken(token), confirmExpiresAt: now + CONFIRM_LINK_TTL_MS };
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.kind, request.kind), eq(subscribers.address, request.address)));
    if (existing?.state === 'active') {
      // An active subscription keeps its choices; a member signing up again adds what their
      // audiences may see, and the note tells them where to choose.
      await addAudiences(tx, existing.id, audienceIds);
      await enqueuePersonal(tx, 'subscription.already', existing, {}, now);
      return;
    }
    const choice = {
      allComponents: request.components === 'all',
      ...confirm,
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
            kind: request.kind,
            address: request.address,
            state: 'pending',
            manageToken: generateToken(),
            source: 'public',
            createdAt: now,
            ...choice,
          })
          .returning();
    await setComponents(tx, row.id, ids);
    // A restarted subscription is told what this request may see, no more.
    await tx.delete(subscriberAudiences).where(eq(subscriberAudiences.subscriberId, row.id));
    await addAudiences(tx, row.id, audienceIds);
    await enqueuePersonal(tx, 'subscription.confirm', row, { token, expiresAt: confirm.confirmExpiresAt }, now);
  });
}

async function addAudiences(tx: DbOrTx, subscriberId: number, audienceIds: readonly number[]): Promise<void> {
  if (audienceIds.length === 0) return;
  await tx
    .insert(subscriberAudiences)
    .values(audienceIds.map((audienceId) => ({ subscriberId, audienceId })))
    .onConflictDoNothing();
}
