// Announces a change on the shared change feed (table change_events). Called inside the same
// transaction as the change, so every instance sees the announcement exactly when the data.
import { max } from 'drizzle-orm';
import { changeEvents } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';

export type ChangeKind = 'incident' | 'component' | 'structure' | 'postmortem' | 'maintenance';

/**
 * The subject of a change the public must not hear named (a draft incident): every cache still
 * drops and open pages still refresh (a draft may set public component states), but `/events`
 * names nothing.
 */
export const UNNAMED_SUBJECT = '';

export async function recordChange(tx: DbOrTx, kind: ChangeKind, subject: string): Promise<void> {
  await tx.insert(changeEvents).values({ kind, subject });
}

/**
 * The newest change's id: the version of what a page rendered now shows. Read before the page's
 * data, so a change landing mid-render makes the page look older than it is, never newer.
 */
export async function latestChangeId(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ id: max(changeEvents.id) }).from(changeEvents);
  return row?.id ?? 0;
}
