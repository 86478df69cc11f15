// Logging in with a password, rate-limited per account and per address so passwords cannot be
// guessed: only failures count, and an account's count is cleared when its owner gets in.
import type { Db } from '../../db/client.ts';
import { assertUnderLimit, clearRateLimit, countHit, type Limit } from '../rate-limit.ts';
import type { SessionUser } from './sessions.ts';
import { authenticateUser } from './users.ts';

const WINDOW_MS = 15 * 60_000;
export const LOGIN_LIMITS = { account: { max: 10, windowMs: WINDOW_MS }, address: { max: 30, windowMs: WINDOW_MS } } satisfies Record<string, Limit>;

const TOO_MANY = 'Too many failed logins. Wait a few minutes and try again, or ask an admin to reset your password.';

export async function logIn(db: Db, email: string, password: string, address: string, now = Date.now()): Promise<SessionUser | null> {
  const accountKey = `login:account:${email.trim().toLowerCase()}`;
  const addressKey = `login:ip:${address}`;
  await assertUnderLimit(db, accountKey, LOGIN_LIMITS.account, TOO_MANY, now);
  await assertUnderLimit(db, addressKey, LOGIN_LIMITS.address, TOO_MANY, now);
  const user = await authenticateUser(db, email, password);
  if (user) {
    await clearRateLimit(db, accountKey);
    return user;
  }
  // Count the failure on both; the refusal (once the budget is spent) comes with the next attempt.
  await countHit(db, accountKey, LOGIN_LIMITS.account.windowMs, now);
  await countHit(db, addressKey, LOGIN_LIMITS.address.windowMs, now);
  return null;
}
