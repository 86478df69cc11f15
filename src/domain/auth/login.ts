// Logging in with a password, rate-limited per account and per address so passwords cannot be
// guessed: only failures count, and an account's count is cleared when its owner gets in.
// Each attempt reserves its place in both budgets before the password is checked (one atomic
// statement per budget), so parallel guesses cannot all pass a check made before any was counted.
import type { Db } from '#db/client.ts';
import { clearRateLimit, giveBackHit, hitRateLimit, RateLimitError, type Limit } from '../rate-limit.ts';
import { signalLogin } from '../signals.ts';
import type { SessionUser } from './sessions.ts';
import { authenticateUser } from './users.ts';

const WINDOW_MS = 15 * 60_000;
export const LOGIN_LIMITS = {
  account: { max: 10, windowMs: WINDOW_MS },
  address: { max: 30, windowMs: WINDOW_MS },
} satisfies Record<string, Limit>;

const TOO_MANY = 'Too many failed logins. Wait a few minutes and try again, or ask an admin to reset your password.';

/** The user for a right email and password, or null; throws RateLimitError once either budget is spent. */
export async function logIn(
  db: Db,
  email: string,
  password: string,
  address: string,
  now = Date.now(),
): Promise<SessionUser | null> {
  // No address is longer than 320 characters: a longer "email" must not make a longer key.
  const accountKey = `login:account:${email.trim().toLowerCase().slice(0, 320)}`;
  const addressKey = `login:ip:${address}`;
  // A refused attempt stays counted on the budget that refused it (that budget is spent anyway)
  // but gives back its place on the other: a refusal is not a failure.
  let account: { windowStart: number };
  try {
    account = await hitRateLimit(db, accountKey, LOGIN_LIMITS.account, TOO_MANY, now);
  } catch (error) {
    if (error instanceof RateLimitError) signalLogin('refused');
    throw error;
  }
  let ip: { windowStart: number };
  try {
    ip = await hitRateLimit(db, addressKey, LOGIN_LIMITS.address, TOO_MANY, now);
  } catch (error) {
    await giveBackHit(db, accountKey, account.windowStart);
    if (error instanceof RateLimitError) signalLogin('refused');
    throw error;
  }
  const user = await authenticateUser(db, email, password);
  if (!user) signalLogin('failed');
  if (user) {
    await clearRateLimit(db, accountKey);
    // Only failures count against the address, so a success returns its place.
    await giveBackHit(db, addressKey, ip.windowStart);
  }
  // A failure keeps both places: they are the failure, counted before the password was checked.
  return user;
}
