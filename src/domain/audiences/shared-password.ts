// Signing in to an audience with its shared password (issue 20), rate-limited as staff login is
// (src/domain/auth/login.ts): each attempt reserves its place in the audience's budget and the
// network's before the password is checked, only failures keep theirs, and a success clears the
// audience's. A wrong audience name and a wrong password read the same, and cost the same.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { dummyVerify, verifyPassword } from '../auth/passwords.ts';
import { parseInput } from '../errors.ts';
import { clearRateLimit, giveBackHit, hitRateLimit, RateLimitError, type Limit } from '../rate-limit.ts';
import { recordSignIn, recordSignInFailure } from './sign-in-audit.ts';
import { signInViewer } from './viewer-sessions.ts';

const WINDOW_MS = 15 * 60_000;
export const PASSWORD_LIMITS = {
  audience: { max: 10, windowMs: WINDOW_MS },
  address: { max: 30, windowMs: WINDOW_MS },
} satisfies Record<string, Limit>;

export const TOO_MANY_TRIES = 'Too many wrong passwords. Wait a few minutes and try again.';
export const WRONG_PASSWORD = 'The name or the password is wrong.';

// What a person can type: a form that is not (control characters, a novel) is refused before
// anything is counted, checked or recorded.
const signInSchema = z.object({
  audience: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  password: z.string({ error: 'is required' }).min(1, 'is required').max(256, 'must be at most 256 characters'),
});

/** An audience by name, exact first, then ignoring case. Names are at most 100 characters. */
async function audienceNamed(db: Db, name: string) {
  const rows = await db.all<{ id: number; name: string; password_hash: string | null; credential_version: number }>(sql`
    select id, name, password_hash, credential_version from audiences
    where lower(name) = lower(${name}) order by (name = ${name}) desc, id limit 1`);
  return rows[0];
}

/**
 * Signs the browser in to audience `name` when `password` is its shared password: returns the
 * new session's secret, or null for a wrong name or password. Throws InputError for a form no
 * person could have typed, and RateLimitError once either budget is spent.
 */
export async function signInWithPassword(
  db: Db,
  input: unknown,
  context: { ip: string; currentToken: string | null; now?: number },
): Promise<{ token: string; expiresAt: number } | null> {
  const now = context.now ?? Date.now();
  const { audience: name, password } = parseInput(signInSchema, input);
  const audienceKey = `access-password:audience:${name.toLowerCase()}`;
  const addressKey = `access-password:ip:${context.ip}`;
  const audienceHit = await hitRateLimit(db, audienceKey, PASSWORD_LIMITS.audience, TOO_MANY_TRIES, now);
  let ipHit: { windowStart: number };
  try {
    ipHit = await hitRateLimit(db, addressKey, PASSWORD_LIMITS.address, TOO_MANY_TRIES, now);
  } catch (error) {
    // A refusal is not a failure: the audience's budget gets its place back.
    if (error instanceof RateLimitError) await giveBackHit(db, audienceKey, audienceHit.windowStart);
    throw error;
  }
  const audience = await audienceNamed(db, name);
  const right = audience?.password_hash
    ? await verifyPassword(audience.password_hash, password)
    : await dummyVerify(password).then(() => false);
  if (!audience || !right) {
    await recordSignInFailure(
      db,
      {
        method: 'password',
        email: null,
        reason: audience
          ? audience.password_hash
            ? 'wrong password'
            : 'audience has no password'
          : 'no such audience',
        audienceId: audience?.id ?? null,
        audienceName: name,
      },
      now,
    );
    return null;
  }
  await clearRateLimit(db, audienceKey);
  await giveBackHit(db, addressKey, ipHit.windowStart);
  const signedIn = await signInViewer(
    db,
    context.currentToken,
    {
      email: null,
      grants: [{ audienceId: audience.id, method: 'password', credentialVersion: Number(audience.credential_version) }],
    },
    now,
  );
  await recordSignIn(db, { method: 'password', email: signedIn.session.email, audienceIds: [audience.id] }, now);
  return { token: signedIn.token, expiresAt: signedIn.session.expiresAt };
}
