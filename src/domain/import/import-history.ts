// The imported components' past states, derived from the imported updates, so the 90-day bars and
// uptime figures show the source's history. Each incident (and maintenance) holds the state its
// latest update gave a component until the incident is resolved (or the update says operational);
// the component's state at any moment is the worst state held then. Derived from every incident
// imported from the source so far (not only this run's), so running again converges on one
// history: the rows are remembered, and rewritten, added or removed to match.
import { desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { components, componentStatusChanges } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import { recordChange } from '../changes.ts';
import { worstComponentState, type ComponentState } from '../status.ts';
import { rebuildUptimeRollups } from '../uptime-rollups.ts';
import type { ImportContext } from './import-context.ts';
import { forget, importedIds, remember } from './import-records.ts';

interface Held {
  componentId: number;
  at: number;
  status: ComponentState;
  /** `incident:<id>` or `maintenance:<id>`. */
  holder: string;
  end: number | null;
}

export interface DerivedChange {
  at: number;
  status: ComponentState;
  incidentId: number | null;
}

interface HeldRow {
  component_id: number;
  at: number;
  status: ComponentState;
  id: number;
  end: number | null;
}

/** The component states each incident or maintenance set, with when it set them and when it ended. */
const HELD_QUERIES = {
  incident: (ids: SQL) => sql`
      SELECT a.component_id, u.display_at AS at, a.new_status AS status, i.id, i.resolved_at AS end
      FROM incident_update_components a JOIN incident_updates u ON u.id = a.update_id
      JOIN incidents i ON i.id = u.incident_id WHERE i.id IN (${ids})`,
  maintenance: (ids: SQL) => sql`
      SELECT a.component_id, u.created_at AS at, a.new_status AS status, m.id, m.completed_at AS end
      FROM maintenance_update_components a JOIN maintenance_updates u ON u.id = a.update_id
      JOIN maintenances m ON m.id = u.maintenance_id WHERE m.id IN (${ids})`,
};

async function heldStates(db: DbOrTx, incidentIds: number[], maintenanceIds: number[]): Promise<Held[]> {
  const held: Held[] = [];
  const holders = [
    ['incident', incidentIds],
    ['maintenance', maintenanceIds],
  ] as const;
  for (const [kind, ids] of holders) {
    // In slices: SQLite limits the parameters of one statement.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db.all<HeldRow>(HELD_QUERIES[kind](sql.join(ids.slice(i, i + 500), sql`, `)));
      for (const r of rows)
        held.push({
          componentId: Number(r.component_id),
          at: Number(r.at),
          status: r.status,
          holder: `${kind}:${r.id}`,
          end: r.end === null ? null : Number(r.end),
        });
    }
  }
  return held;
}

/** One component's changes from what its incidents and maintenances held, oldest first. */
export function deriveChanges(held: Held[]): DerivedChange[] {
  type Event = { at: number; holder: string; status: ComponentState | null };
  const events: Event[] = [];
  const lastAt = new Map<string, number>();
  for (const h of held) {
    events.push({ at: h.at, holder: h.holder, status: h.status === 'operational' ? null : h.status });
    lastAt.set(h.holder, Math.max(lastAt.get(h.holder) ?? -Infinity, h.at));
  }
  const ends = new Map(held.map((h) => [h.holder, h.end]));
  // Resolving releases whatever the incident still held (Statuspage pages often resolve without
  // naming the components again); an update after the end is the last word instead.
  for (const [holder, end] of ends)
    if (end !== null) events.push({ at: Math.max(end, lastAt.get(holder)!), holder, status: null });
  events.sort((a, b) => a.at - b.at);
  const holding = new Map<string, ComponentState>();
  const out: DerivedChange[] = [];
  let current: ComponentState = 'operational';
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.status === null) holding.delete(e.holder);
    else holding.set(e.holder, e.status);
    if (events[i + 1]?.at === e.at) continue;
    const worst = worstComponentState(holding.values());
    if (worst === current) continue;
    current = worst;
    const cause = [...holding].find(([, s]) => s === worst)?.[0] ?? null;
    out.push({ at: e.at, status: worst, incidentId: cause?.startsWith('incident:') ? Number(cause.slice(9)) : null });
  }
  return out;
}

/** Brings the imported components' derived history in line with everything imported. */
export async function syncDerivedHistory(ctx: ImportContext): Promise<void> {
  const db = ctx.db;
  const componentIds = await importedIds(db, ctx.source, 'component');
  if (componentIds.length === 0) return;
  const held = await heldStates(
    db,
    await importedIds(db, ctx.source, 'incident'),
    await importedIds(db, ctx.source, 'maintenance'),
  );
  const tracked = new Map<string, { localId: number; status: string }>();
  for (const [k, r] of ctx.remembered)
    if (k.startsWith('status_change\u0000'))
      tracked.set(k.slice('status_change\u0000'.length), { localId: r.localId, status: r.fingerprint });
  const live = await db
    .select({ id: components.id, status: components.status })
    .from(components)
    .where(inArray(components.id, componentIds));
  for (const component of live) {
    const desired = new Map(
      deriveChanges(held.filter((h) => h.componentId === component.id)).map((c) => [`${component.id}@${c.at}`, c]),
    );
    const mine = [...tracked].filter(([k]) => k.startsWith(`${component.id}@`));
    const changed = await db.transaction(async (tx) => {
      let n = 0;
      for (const [k, row] of mine) {
        const want = desired.get(k);
        if (!want) {
          await tx.delete(componentStatusChanges).where(eq(componentStatusChanges.id, row.localId));
          await forget(tx, ctx.source, 'status_change', k);
          n++;
        } else if (want.status !== row.status) {
          await tx
            .update(componentStatusChanges)
            .set({ status: want.status, incidentId: want.incidentId })
            .where(eq(componentStatusChanges.id, row.localId));
          await remember(tx, ctx.source, 'status_change', k, row.localId, want.status, ctx.now);
          n++;
        }
      }
      const have = new Set(mine.map(([k]) => k));
      for (const [k, want] of desired) {
        if (have.has(k)) continue;
        const [row] = await tx
          .insert(componentStatusChanges)
          .values({ componentId: component.id, status: want.status, changedAt: want.at, incidentId: want.incidentId })
          .returning({ id: componentStatusChanges.id });
        await remember(tx, ctx.source, 'status_change', k, row.id, want.status, ctx.now);
        n++;
      }
      // The history must end in the state the component is in: the source's, as imported.
      const [last] = await tx
        .select({ status: componentStatusChanges.status, at: componentStatusChanges.changedAt })
        .from(componentStatusChanges)
        .where(eq(componentStatusChanges.componentId, component.id))
        .orderBy(desc(componentStatusChanges.changedAt), desc(componentStatusChanges.id))
        .limit(1);
      if (last && last.status !== component.status) {
        await tx
          .insert(componentStatusChanges)
          .values({ componentId: component.id, status: component.status, changedAt: Math.max(ctx.now, last.at) });
        n++;
      }
      if (n) {
        await rebuildUptimeRollups(tx, component.id);
        await recordChange(tx, 'component', `component:${component.id}`);
      }
      return n;
    });
    if (changed) {
      ctx.summary.history.components++;
      ctx.summary.history.changes += changed;
    }
  }
}
