// Uptime from daily rollups: per component and UTC day, the milliseconds spent in each state,
// folded from component_status_changes. A write folds the change it makes in its own transaction;
// at start, catchUpUptimeRollups folds whatever was written around the writes (a database from an
// earlier version, history inserted straight into the tables, an import). The public bars then
// read 90 days x components rows, never the raw history, and only when a write has moved the
// rollups' version since the last read.
import { and, asc, eq, gt, gte, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import {
  componentStatusChanges,
  componentUptimeDays,
  componentUptimeMarks,
  uptimeRollupVersion,
} from '../db/schema/index.ts';
import { COMPONENT_STATES, type ComponentState } from './status.ts';
import {
  addToWindow,
  computeUptime,
  DAY_MS,
  splitByDay,
  uptimeFromDurations,
  uptimeWindowStart,
  UPTIME_DAYS,
  type StateDurations,
  type StatusChange,
  type Uptime,
} from './uptime.ts';

interface Change extends StatusChange {
  id: number;
}

interface Mark {
  /** The highest id folded: every change up to it is in the rollups. */
  changeId: number;
  changeCount: number;
  changedAt: number;
  status: ComponentState;
}

// Rows per INSERT: 4 columns each, far below SQLite's limit on bound values.
const INSERT_CHUNK = 500;

/** Each component's state history from `windowStart` on, the state it was in then included. */
export async function statusHistorySince(
  db: DbOrTx,
  windowStart: number,
  componentIds?: number[],
): Promise<Map<number, StatusChange[]>> {
  const only = componentIds ? sql`WHERE c.id IN (${sql.join(componentIds, sql`, `)})` : sql``;
  // Per component through status_changes_component_time_idx: the last change before the window,
  // then every change inside it.
  const rows = await db.all<{ component_id: number; status: ComponentState; changed_at: number }>(sql`
    SELECT s.component_id, s.status, s.changed_at FROM components c
    JOIN component_status_changes s ON s.id = (
      SELECT p.id FROM component_status_changes p
      WHERE p.component_id = c.id AND p.changed_at < ${windowStart}
      ORDER BY p.changed_at DESC, p.id DESC LIMIT 1)
    ${only}
    UNION ALL
    SELECT * FROM (
      SELECT s.component_id, s.status, s.changed_at FROM components c
      JOIN component_status_changes s ON s.component_id = c.id AND s.changed_at >= ${windowStart}
      ${only}
      ORDER BY s.changed_at, s.id)`);
  const history = new Map<number, StatusChange[]>();
  for (const row of rows) {
    const id = Number(row.component_id);
    const list = history.get(id) ?? [];
    list.push({ status: row.status, changedAt: Number(row.changed_at) });
    history.set(id, list);
  }
  return history;
}

/** Adds the intervals between consecutive changes to `days` (day start -> durations). */
function foldIntervals(from: Mark | null, changes: Change[], days: Map<number, StateDurations>): Mark | null {
  let last = from;
  for (const change of changes) {
    if (last) {
      const status = last.status;
      splitByDay(last.changedAt, change.changedAt, (dayStart, ms) => {
        const day = days.get(dayStart) ?? {};
        day[status] = (day[status] ?? 0) + ms;
        days.set(dayStart, day);
      });
    }
    last = {
      changeId: Math.max(last?.changeId ?? 0, change.id),
      changeCount: (last?.changeCount ?? 0) + 1,
      changedAt: change.changedAt,
      status: change.status,
    };
  }
  return last;
}

/** Moves the rollups' version, in the transaction that writes them, so every reader reads them again. */
async function moveVersion(tx: DbOrTx): Promise<void> {
  await tx
    .insert(uptimeRollupVersion)
    .values({ id: 1, version: 1 })
    .onConflictDoUpdate({ target: uptimeRollupVersion.id, set: { version: sql`${uptimeRollupVersion.version} + 1` } });
}

async function writeFold(tx: DbOrTx, componentId: number, days: Map<number, StateDurations>, mark: Mark) {
  await moveVersion(tx);
  const rows = [...days].map(([day, durations]) => ({ componentId, day, ...durations }));
  const added = Object.fromEntries(
    COMPONENT_STATES.map((s) => [s, sql`${componentUptimeDays[s]} + excluded.${sql.identifier(`${s}_ms`)}`]),
  );
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx
      .insert(componentUptimeDays)
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflictDoUpdate({ target: [componentUptimeDays.componentId, componentUptimeDays.day], set: added });
  }
  await tx
    .insert(componentUptimeMarks)
    .values({ componentId, ...mark })
    .onConflictDoUpdate({ target: componentUptimeMarks.componentId, set: mark });
}

/** A component's changes in the order they apply (time, then id), all or those `since` matches. */
function changesOf(tx: DbOrTx, componentId: number, since?: SQL): Promise<Change[]> {
  return tx
    .select({
      id: componentStatusChanges.id,
      status: componentStatusChanges.status,
      changedAt: componentStatusChanges.changedAt,
    })
    .from(componentStatusChanges)
    .where(and(eq(componentStatusChanges.componentId, componentId), since))
    .orderBy(asc(componentStatusChanges.changedAt), asc(componentStatusChanges.id));
}

/** Drops a component's rollups and folds its whole history again. */
async function rebuildComponent(tx: DbOrTx, componentId: number): Promise<number> {
  await tx.delete(componentUptimeDays).where(eq(componentUptimeDays.componentId, componentId));
  await tx.delete(componentUptimeMarks).where(eq(componentUptimeMarks.componentId, componentId));
  await moveVersion(tx);
  const changes = await changesOf(tx, componentId);
  const days = new Map<number, StateDurations>();
  const mark = foldIntervals(null, changes, days);
  if (mark) await writeFold(tx, componentId, days, mark);
  return changes.length;
}

/** Folds a component's whole history again, inside the caller's transaction (after history was rewritten). */
export async function rebuildUptimeRollups(tx: DbOrTx, componentId: number): Promise<void> {
  await rebuildComponent(tx, componentId);
}

/**
 * Folds a component's changes written since its mark, inside the caller's transaction (the one
 * that wrote the change at `at`). Reads only the changes from the mark's time on; a change dated
 * before the mark (or a component never folded) rebuilds the component's rollups instead.
 */
export async function foldUptimeChanges(tx: DbOrTx, componentId: number, at: number): Promise<void> {
  const [mark] = await tx
    .select({
      changeId: componentUptimeMarks.changeId,
      changeCount: componentUptimeMarks.changeCount,
      changedAt: componentUptimeMarks.changedAt,
      status: componentUptimeMarks.status,
    })
    .from(componentUptimeMarks)
    .where(eq(componentUptimeMarks.componentId, componentId));
  if (!mark || at < mark.changedAt) {
    await rebuildComponent(tx, componentId);
    return;
  }
  const changes = await changesOf(
    tx,
    componentId,
    and(gte(componentStatusChanges.changedAt, mark.changedAt), gt(componentStatusChanges.id, mark.changeId)),
  );
  if (changes.length === 0) return;
  const days = new Map<number, StateDurations>();
  await writeFold(tx, componentId, days, foldIntervals(mark, changes, days)!);
}

/**
 * Brings every component's rollups up to date with its raw history: a component whose count or
 * newest change differs from its mark (or that has none) is folded again from scratch. Called
 * once at start; cheap when nothing is new (one pass over the history's index).
 */
export async function catchUpUptimeRollups(db: Db): Promise<{ components: number; changes: number }> {
  const [latest, marks] = await Promise.all([
    db.all<{ component_id: number; last_id: number; n: number }>(sql`
      SELECT component_id, max(id) AS last_id, count(*) AS n FROM component_status_changes GROUP BY component_id`),
    db.select().from(componentUptimeMarks),
  ]);
  const marked = new Map(marks.map((m) => [m.componentId, m]));
  const stale = latest.filter((r) => {
    const mark = marked.get(Number(r.component_id));
    return !mark || mark.changeId !== Number(r.last_id) || mark.changeCount !== Number(r.n);
  });
  let changes = 0;
  for (const row of stale) {
    changes += await db.transaction((tx) => rebuildComponent(tx, Number(row.component_id)));
  }
  return { components: stale.length, changes };
}

/** The rollups of one window as read at one version: each component's days and its mark. */
interface RollupRead {
  version: number;
  windowStart: number;
  days: Map<number, StateDurations[]>;
  marks: Map<number, Mark>;
}

/**
 * The last read per database handle. Reading 90 days of every component is most of what the bars
 * cost once the window is busy; the version (one row) says whether anything was written since.
 */
const lastReads = new WeakMap<DbOrTx, RollupRead>();

/** The window's rollups and every mark, read again only when the version moved or the day turned. */
async function readRollups(db: DbOrTx, windowStart: number): Promise<RollupRead> {
  const [current] = await db.select({ version: uptimeRollupVersion.version }).from(uptimeRollupVersion);
  const last = lastReads.get(db);
  if (last && last.version === (current?.version ?? 0) && last.windowStart === windowStart) return last;
  // Version, days and marks in one statement, so they are of one moment. One row of JSON instead
  // of a row per component and day: the driver's per-row cost is most of it.
  const columns = sql.join(
    COMPONENT_STATES.map((s) => sql.identifier(`${s}_ms`)),
    sql`, `,
  );
  const [row] = await db.all<{ version: number | null; days: string; marks: string }>(sql`
    SELECT (SELECT version FROM ${uptimeRollupVersion}) AS version,
      (SELECT json_group_array(json_array(component_id, day, ${columns}))
        FROM ${componentUptimeDays} WHERE day >= ${windowStart}) AS days,
      (SELECT json_group_array(json_array(component_id, change_id, change_count, changed_at, status))
        FROM ${componentUptimeMarks}) AS marks`);
  const days = new Map<number, StateDurations[]>();
  for (const [componentId, dayStart, ...ms] of JSON.parse(row.days) as number[][]) {
    let perDay = days.get(componentId);
    if (!perDay) {
      perDay = Array.from({ length: UPTIME_DAYS }, () => ({}));
      days.set(componentId, perDay);
    }
    const day = perDay[(dayStart - windowStart) / DAY_MS];
    if (!day) continue; // after today: only a mark in the future folds that far, read raw below
    COMPONENT_STATES.forEach((status, i) => {
      if (ms[i] > 0) day[status] = ms[i];
    });
  }
  const marks = new Map<number, Mark>();
  for (const [componentId, changeId, changeCount, changedAt, status] of JSON.parse(row.marks) as [
    number,
    number,
    number,
    number,
    ComponentState,
  ][]) {
    marks.set(componentId, { changeId, changeCount, changedAt, status });
  }
  const read = { version: Number(row.version ?? 0), windowStart, days, marks };
  lastReads.set(db, read);
  return read;
}

/**
 * Each component's 90-day uptime from the rollups plus the open interval since its last change.
 * A component whose mark is missing or lies after `now` (a clock set back, a test's fixed time)
 * is computed from its raw history in the window instead, which gives the same figures.
 */
export async function loadUptimes(db: DbOrTx, componentIds: number[], now: number): Promise<Map<number, Uptime>> {
  const windowStart = uptimeWindowStart(now);
  const rollups = await readRollups(db, windowStart);
  const result = new Map<number, Uptime>();
  const raw: number[] = [];
  for (const id of componentIds) {
    const mark = rollups.marks.get(id);
    if (!mark || mark.changedAt > now) {
      raw.push(id);
      continue;
    }
    // A copy: the open interval is this read's own (addToWindow replaces the days it adds to).
    const perDay = rollups.days.get(id)?.slice() ?? Array.from({ length: UPTIME_DAYS }, () => ({}));
    addToWindow(perDay, windowStart, mark.status, mark.changedAt, now);
    result.set(id, uptimeFromDurations(windowStart, perDay));
  }
  if (raw.length) {
    const history = await statusHistorySince(db, windowStart, raw);
    for (const id of raw) result.set(id, computeUptime(history.get(id) ?? [], now));
  }
  return result;
}
