// Fixed-window rate limits kept in the database, so every instance counts the same requests.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { InputError } from './errors.ts';

export class RateLimitError extends InputError {
  override readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = 'RateLimitError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface Limit {
  max: number;
  windowMs: number;
}

/** Counts one hit on `key` in its current window (a stale window restarts) and returns the count. */
export async function countHit(
  db: DbOrTx,
  key: string,
  windowMs: number,
  now = Date.now(),
): Promise<{ count: number; windowStart: number }> {
  const fresh = now - windowMs;
  // One statement: the window restarts or the count grows, atomically for every instance.
  const rows = await db.all<{ count: number; window_start: number }>(sql`
    insert into rate_limits (key, window_start, count) values (${key}, ${now}, 1)
    on conflict(key) do update set
      count = case when window_start <= ${fresh} then 1 else count + 1 end,
      window_start = case when window_start <= ${fresh} then ${now} else window_start end
    returning count, window_start`);
  return { count: rows[0].count, windowStart: rows[0].window_start };
}

/**
 * Counts one hit on `key` and throws RateLimitError with `message` once the window's budget is
 * spent. Counting and checking are one statement, so parallel requests cannot all slip under the
 * limit; the hit is a reservation, and `giveBackHit` returns it. Returns the window it counted in.
 */
export async function hitRateLimit(
  db: DbOrTx,
  key: string,
  limit: Limit,
  message: string,
  now = Date.now(),
): Promise<{ windowStart: number }> {
  const { count, windowStart } = await countHit(db, key, limit.windowMs, now);
  if (count > limit.max) {
    throw new RateLimitError(message, Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000)));
  }
  return { windowStart };
}

/** Takes back one hit counted in the window starting at `windowStart`; a window that has since restarted owes nothing. */
export async function giveBackHit(db: DbOrTx, key: string, windowStart: number): Promise<void> {
  await db.run(
    sql`update rate_limits set count = count - 1 where key = ${key} and window_start = ${windowStart} and count > 0`,
  );
}

export async function clearRateLimit(db: DbOrTx, key: string): Promise<void> {
  await db.run(sql`delete from rate_limits where key = ${key}`);
}
