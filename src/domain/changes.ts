// Announces a change on the shared change feed (table change_events). Called inside the same
// transaction as the change, so every instance sees the announcement exactly when the data.
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
