// Email sign-in links for audience members (issue 20): no account to create. Anyone may ask; only
// an address that is a member of some audience (itself or by its domain) is sent a link, and the
// answer is the same either way, so the form tells nobody who is a member. The link works once,
// for 15 minutes, and is stored only as its hash; following it admits the address to every
// audience it belongs to at that moment.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { audiences, subscribers, viewerLinks } from '../../db/schema/index.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import { InputError, NotFoundError, parseInput } from '../errors.ts';
import type { Locale } from '../locales.ts';
import { enqueuePersonal } from '../notify/outbox.ts';
import { hitRateLimit, type Limit } from '../rate-limit.ts';
import { emailSchema } from '../subscriber-rules.ts';
import { z } from 'zod';
import { memberAudienceIds } from './grant-rule.ts';
import { recordSignIn, recordSignInFailure } from './sign-in-audit.ts';
import { signInViewer, type Grant } from './viewer-sessions.ts';

export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;
const HOUR = 3_600_000;
/** Per network: a few typos and retries; per address: enough to recover a lost email, too few to flood an inbox. */
export const SIGN_IN_LINK_LIMITS: { perIp: Limit; perAddress: Limit } = {
  perIp: { max: 10, windowMs: HOUR },
  perAddress: { max: 5, windowMs: HOUR },
};

/** What the email carries (a snapshot in the outbox, like every message). */
export interface SignInLinkPayload {
  token: string;
  expiresAt: number;
}

const requestSchema = z.object({ email: emailSchema });

/** The audiences `email` is a member of (grant-rule.ts), ascending, with their credential versions. */
export async function audiencesOfEmail(
  db: DbOrTx,
  email: string,
): Promise<{ id: number; credentialVersion: number }[]> {
  const ids = [...(await memberAudienceIds(db, email))];
  if (ids.length === 0) return [];
  return db
    .select({ id: audiences.id, credentialVersion: audiences.credentialVersion })
    .from(audiences)
    .where(inArray(audiences.id, ids))
    .orderBy(asc(audiences.id));
}

/**
 * The outbox delivers to subscriber rows; a viewer's sign-in mail goes to a row of kind "viewer",
 * which receives nothing else and is not listed as a subscriber. Its language follows the page the
 * link was last asked for on.
 */
async function viewerRecipient(tx: DbOrTx, email: string, locale: Locale, now: number) {
  const [existing] = await tx
    .select({ id: subscribers.id, kind: subscribers.kind })
    .from(subscribers)
    .where(and(eq(subscribers.kind, 'viewer'), eq(subscribers.address, email)));
  if (existing) {
    await tx.update(subscribers).set({ locale }).where(eq(subscribers.id, existing.id));
    return existing;
  }
  const [row] = await tx
    .insert(subscribers)
    .values({
      kind: 'viewer',
      address: email,
      state: 'active',
      allComponents: false,
      manageToken: generateToken(),
      source: 'viewer',
      locale,
      createdAt: now,
      confirmedAt: now,
    })
    .returning({ id: subscribers.id, kind: subscribers.kind });
  return row;
}

/**
 * Sends a sign-in link to `input.email` when it is a member of any audience; otherwise does
 * nothing. Rate-limited per network and per address whether or not it is a member.
 */
export async function requestSignInLink(
  db: Db,
  input: unknown,
  context: { ip: string; locale: Locale; next: string; now?: number },
): Promise<void> {
  const now = context.now ?? Date.now();
  const { email } = parseInput(requestSchema, input);
  await hitRateLimit(
    db,
    `access-link:ip:${context.ip}`,
    SIGN_IN_LINK_LIMITS.perIp,
    'Too many sign-in links asked for from your network. Try again in an hour.',
    now,
  );
  await hitRateLimit(
    db,
    `access-link:address:${email}`,
    SIGN_IN_LINK_LIMITS.perAddress,
    'Too many sign-in links asked for this address. Use the most recent email we sent, or try again in an hour.',
    now,
  );
  if ((await audiencesOfEmail(db, email)).length === 0) return;
  const token = generateToken();
  const expiresAt = now + SIGN_IN_LINK_TTL_MS;
  await db.transaction(async (tx) => {
    // Links past their time are worth nothing: drop them while writing a new one.
    await tx.delete(viewerLinks).where(sql`${viewerLinks.expiresAt} < ${now}`);
    await tx
      .insert(viewerLinks)
      .values({ tokenHash: hashToken(token), email, next: context.next, expiresAt, createdAt: now });
    const payload: SignInLinkPayload = { token, expiresAt };
    await enqueuePersonal(
      tx,
      'access.link',
      await viewerRecipient(tx, email, context.locale, now),
      payload,
      now,
      'email',
    );
  });
}

export const LINK_INVALID =
  'This sign-in link is not valid. It may have been used already or copied incompletely. Ask for a new one.';
export const LINK_EXPIRED = 'This sign-in link has expired. Ask for a new one; links work for 15 minutes.';
export const NOT_A_MEMBER = 'This address no longer has access to any part of this status page.';

/**
 * Follows a sign-in link: used up at once (two tabs cannot both use it), then the address is
 * admitted to every audience it is a member of now. Returns the new session's secret and where
 * to go next.
 */
export async function followSignInLink(
  db: Db,
  token: string,
  currentToken: string | null,
  now = Date.now(),
): Promise<{ token: string; expiresAt: number; next: string }> {
  const [link] = await db
    .delete(viewerLinks)
    .where(eq(viewerLinks.tokenHash, hashToken(token)))
    .returning();
  if (!link) throw new NotFoundError('sign-in link', null, LINK_INVALID);
  if (link.expiresAt <= now) {
    await recordSignInFailure(db, { method: 'email', email: link.email, reason: 'expired link' }, now);
    throw new InputError(LINK_EXPIRED);
  }
  const audiences = await audiencesOfEmail(db, link.email);
  if (audiences.length === 0) {
    await recordSignInFailure(db, { method: 'email', email: link.email, reason: 'no longer a member' }, now);
    throw new InputError(NOT_A_MEMBER);
  }
  const grants: Grant[] = audiences.map((a) => ({
    audienceId: a.id,
    method: 'email',
    credentialVersion: a.credentialVersion,
  }));
  const signedIn = await signInViewer(db, currentToken, { email: link.email, grants }, now);
  await recordSignIn(db, { method: 'email', email: link.email, audienceIds: audiences.map((a) => a.id) }, now);
  return { token: signedIn.token, expiresAt: signedIn.session.expiresAt, next: link.next };
}
