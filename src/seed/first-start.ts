// Seeds the demo page on the very first start, unless CANDOR_SEED=0. "First start" is recorded
// in settings, so emptying the demo later never brings it back.
import { eq } from 'drizzle-orm';
import { settings } from '../db/schema/index.ts';
import type { Db } from '../db/client.ts';
import { seedDemo } from './demo.ts';

const INITIALISED = 'initialised_at';

export async function seedOnFirstStart(db: Db, now = Date.now()): Promise<boolean> {
  const [row] = await db.select().from(settings).where(eq(settings.key, INITIALISED));
  if (row) return false;
  const inserted = await db
    .insert(settings)
    .values({ key: INITIALISED, value: String(now) })
    .onConflictDoNothing()
    .returning();
  // Another instance starting at the same moment won the race and seeds instead.
  if (inserted.length === 0) return false;
  if (process.env.CANDOR_SEED === '0' || process.env.CANDOR_SEED === 'false') return false;
  await seedDemo(db, now);
  return true;
}

/**
 * Records the first start as done without seeding: a page imported before Candor first starts
 * must not get the demo on top of it.
 */
export async function markInitialised(db: Db, now = Date.now()): Promise<void> {
  await db
    .insert(settings)
    .values({ key: INITIALISED, value: String(now) })
    .onConflictDoNothing();
}
