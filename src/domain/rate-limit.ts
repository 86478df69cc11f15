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
export async function countHit(db: DbOrTx, key: string, windowMs: number, now = Date.now()): Promise<{ count: number; windowStart: number }> {
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

/** Counts one hit on `key`; throws RateLimitError with `message` once the window's budget is spent. */
export async function hitRateLimit(db: DbOrTx, key: string, limit: Limit, message: string, now = Date.now()): Promise<void> {
  const { count, windowStart } = await countHit(db, key, limit.windowMs, now);
  if (count > limit.max) {
    throw new RateLimitError(message, Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000)));
  }
}

/** Throws RateLimitError when `key` has used up its window's budget, without counting a hit. */
export async function assertUnderLimit(db: DbOrTx, key: string, limit: Limit, message: string, now = Date.now()): Promise<void> {
  const rows = await db.all<{ count: number; window_start: number }>(sql`select count, window_start from rate_limits where key = ${key}`);
  const row = rows[0];
  if (row && row.window_start > now - limit.windowMs && row.count >= limit.max) {
    throw new RateLimitError(message, Math.max(1, Math.ceil((row.window_start + limit.windowMs - now) / 1000)));
  }
}

export async function clearRateLimit(db: DbOrTx, key: string): Promise<void> {
  await db.run(sql`delete from rate_limits where key = ${key}`);
}
