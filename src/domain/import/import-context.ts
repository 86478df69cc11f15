// What every step of one import run shares: the database, the source's name, whether it is dry,
// what earlier runs remembered, the source-to-local ids found so far and the summary being filled.
import type { Db } from '../../db/client.ts';
import { existing, fingerprint, key, type RecordKind, type Remembered } from './import-records.ts';
import type { ImportSummary } from './import-summary.ts';
import type { ImportNote, ItemKind } from './statuspage-types.ts';

export interface ImportContext {
  db: Db;
  source: string;
  dryRun: boolean;
  now: number;
  remembered: Map<string, Remembered>;
  /** Local ids that still exist, per table, of everything remembered (filled by `prepare`). */
  alive: Map<string, Set<number>>;
  groupIds: Map<string, number>;
  componentIds: Map<string, number>;
  summary: ImportSummary;
  /** One item written (or planned): for the progress bar. */
  tick: () => void;
}

export const TABLES: Partial<Record<RecordKind, string>> = {
  group: 'component_groups',
  component: 'components',
  incident: 'incidents',
  incident_update: 'incident_updates',
  maintenance: 'maintenances',
  maintenance_update: 'maintenance_updates',
  subscriber: 'subscribers',
};

/** Finds which remembered local rows are still there (one query per table). */
export async function prepare(ctx: ImportContext): Promise<void> {
  for (const [kind, table] of Object.entries(TABLES)) {
    const prefix = key(kind as RecordKind, '');
    const ids = [...ctx.remembered].filter(([k]) => k.startsWith(prefix)).map(([, r]) => r.localId);
    ctx.alive.set(kind, await existing(ctx.db, table, ids));
  }
}

export type Plan =
  | { action: 'create' }
  | { action: 'update'; localId: number }
  | { action: 'unchanged'; localId: number }
  /** Imported before, deleted in Candor since: not brought back. */
  | { action: 'gone' };

export function planFor(ctx: ImportContext, kind: RecordKind, sourceId: string, print: string): Plan {
  const known = ctx.remembered.get(key(kind, sourceId));
  if (!known) return { action: 'create' };
  if (!ctx.alive.get(kind)?.has(known.localId)) return { action: 'gone' };
  return known.fingerprint === print
    ? { action: 'unchanged', localId: known.localId }
    : { action: 'update', localId: known.localId };
}

export function rememberedId(ctx: ImportContext, kind: RecordKind, sourceId: string): number | null {
  const known = ctx.remembered.get(key(kind, sourceId));
  return known && ctx.alive.get(kind)?.has(known.localId) ? known.localId : null;
}

export function skip(ctx: ImportContext, kind: ItemKind, sourceId: string, name: string, message: string): void {
  ctx.summary.counts[kind].skipped++;
  ctx.summary.skipped.push({ kind, sourceId, name, message });
}

export function warn(ctx: ImportContext, note: ImportNote): void {
  ctx.summary.warnings.push(note);
}

/** Counts the plan's outcome; `gone` is a skip with its reason. */
export function count(ctx: ImportContext, kind: ItemKind, plan: Plan, sourceId: string, name: string): void {
  if (ctx.dryRun && (plan.action === 'create' || plan.action === 'update'))
    ctx.summary.planned.push({ kind, sourceId, name, message: '', action: plan.action });
  if (plan.action === 'gone')
    skip(ctx, kind, sourceId, name, 'imported before and deleted in Candor since; not brought back');
  else
    ctx.summary.counts[kind][
      plan.action === 'create' ? 'created' : plan.action === 'update' ? 'updated' : 'unchanged'
    ]++;
}

export { fingerprint };
