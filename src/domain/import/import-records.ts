// What earlier imports brought in: each source item's local id and a fingerprint of what it was,
// so a run tells what to create, what changed at the source and what is the same (table
// imported_records).
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { importedRecords } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';

/** What the table remembers: the items, their updates, and the status changes derived from them. */
export type RecordKind =
  | 'group'
  | 'component'
  | 'incident'
  | 'incident_update'
  | 'maintenance'
  | 'maintenance_update'
  | 'subscriber'
  | 'status_change';

export interface Remembered {
  localId: number;
  fingerprint: string;
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

/** Everything imported from `source` before, by kind and source id. */
export async function loadRemembered(db: DbOrTx, source: string): Promise<Map<string, Remembered>> {
  const rows = await db
    .select({
      kind: importedRecords.kind,
      sourceId: importedRecords.sourceId,
      localId: importedRecords.localId,
      fingerprint: importedRecords.fingerprint,
    })
    .from(importedRecords)
    .where(eq(importedRecords.source, source));
  return new Map(
    rows.map((r) => [key(r.kind as RecordKind, r.sourceId), { localId: r.localId, fingerprint: r.fingerprint }]),
  );
}

export const key = (kind: RecordKind, sourceId: string) => `${kind}\u0000${sourceId}`;

/** Records (or re-records) one item, inside the transaction that wrote it. */
export async function remember(
  tx: DbOrTx,
  source: string,
  kind: RecordKind,
  sourceId: string,
  localId: number,
  print: string,
  now: number,
): Promise<void> {
  await tx
    .insert(importedRecords)
    .values({ source, kind, sourceId, localId, fingerprint: print, importedAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [importedRecords.source, importedRecords.kind, importedRecords.sourceId],
      set: { localId, fingerprint: print, updatedAt: now },
    });
}

export async function forget(tx: DbOrTx, source: string, kind: RecordKind, sourceId: string): Promise<void> {
  await tx
    .delete(importedRecords)
    .where(
      and(eq(importedRecords.source, source), eq(importedRecords.kind, kind), eq(importedRecords.sourceId, sourceId)),
    );
}

/** The local ids of one kind that an import from `source` made. */
export async function importedIds(db: DbOrTx, source: string, kind: RecordKind): Promise<number[]> {
  const rows = await db
    .select({ id: importedRecords.localId })
    .from(importedRecords)
    .where(and(eq(importedRecords.source, source), eq(importedRecords.kind, kind)));
  return rows.map((r) => r.id);
}

/** Which of `ids` still exist in `table` (an imported row someone deleted since is not brought back). */
export async function existing(db: DbOrTx, table: string, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const found = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.all<{ id: number }>(
      sql`SELECT id FROM ${sql.identifier(table)} WHERE id IN (${sql.join(chunk, sql`, `)})`,
    );
    for (const r of rows) found.add(Number(r.id));
  }
  return found;
}
