// Uptime from the daily rollups equals uptime computed from the raw history (computeUptime, the
// reference): as changes are written through the domain, when one is dated before the last
// folded change, and after history is written straight into the table and caught up at start.
// A reader keeps the rollups it read until a write, through any handle, moves their version.
import { createClient, type InStatement } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../src/db/client.ts';
import * as schema from '../src/db/schema/index.ts';
import { createComponent, setComponentStatus } from '../src/domain/components.ts';
import { COMPONENT_STATES, type ComponentState } from '../src/domain/status.ts';
import { computeUptime, DAY_MS, uptimeWindowStart } from '../src/domain/uptime.ts';
import { catchUpUptimeRollups, loadUptimes, statusHistorySince } from '../src/domain/uptime-rollups.ts';
import { freshDb } from './support/db.ts';

let db: Db;
let file: string;
const now = Date.UTC(2026, 10, 22, 15, 30, 0);
const HOUR = 3_600_000;

beforeEach(async () => {
  ({ db, file } = await freshDb());
});

async function expectSameAsRaw(ids: number[], at = now) {
  const fromRollups = await loadUptimes(db, ids, at);
  const history = await statusHistorySince(db, uptimeWindowStart(at), ids);
  for (const id of ids) expect(fromRollups.get(id)).toEqual(computeUptime(history.get(id) ?? [], at));
}

/** Deterministic pseudo-random numbers. */
function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
}

describe('uptime rollups', () => {
  test('changes written through the domain fold as they happen, across days and the window edge', async () => {
    const a = await createComponent(db, { name: 'API' }, { now: now - 120 * DAY_MS });
    const b = await createComponent(db, { name: 'Web' }, { now: now - 30 * DAY_MS + 5 * HOUR });
    const rand = random(7);
    let t = now - 119 * DAY_MS;
    while (t < now - HOUR) {
      const id = rand() < 0.5 ? a.id : b.id;
      const status = COMPONENT_STATES[Math.floor(rand() * COMPONENT_STATES.length)];
      await setComponentStatus(db, id, { status }, t);
      t += Math.floor(rand() * 3 * DAY_MS);
    }
    const bars = (await loadUptimes(db, [a.id], now)).get(a.id)!;
    expect(bars.percent).not.toBeNull();
    expect(bars.days.some((d) => d.worst !== 'operational')).toBe(true);
    await expectSameAsRaw([a.id, b.id]);
    // Read later (the open interval grows) and earlier than the last change (read raw).
    await expectSameAsRaw([a.id, b.id], now + 3 * DAY_MS);
    await expectSameAsRaw([a.id, b.id], now - 40 * DAY_MS);
  });

  test('a change dated before the last folded one rebuilds the component', async () => {
    const a = await createComponent(db, { name: 'API' }, { now: now - 10 * DAY_MS });
    await setComponentStatus(db, a.id, { status: 'major_outage' }, now - 2 * DAY_MS);
    await setComponentStatus(db, a.id, { status: 'operational' }, now - 2 * DAY_MS + 2 * HOUR);
    // Back-dated: an outage days before the one already folded.
    await setComponentStatus(db, a.id, { status: 'partial_outage' }, now - 5 * DAY_MS);
    await expectSameAsRaw([a.id]);
  });

  test('history written straight into the table is folded at start', async () => {
    const a = await createComponent(db, { name: 'API' }, { now: now - 100 * DAY_MS });
    await setComponentStatus(db, a.id, { status: 'degraded_performance' }, now - 3 * DAY_MS);
    const raw = createClient({ url: `file:${file}` });
    const imported: [ComponentState, number][] = [
      ['major_outage', now - 60 * DAY_MS + 23 * HOUR], // spans midnight
      ['operational', now - 59 * DAY_MS + 2 * HOUR],
      ['partial_outage', now - 10 * DAY_MS],
      ['operational', now - 9 * DAY_MS],
    ];
    for (const [status, at] of imported) {
      await raw.execute({
        sql: 'INSERT INTO component_status_changes (component_id, status, changed_at) VALUES (?, ?, ?)',
        args: [a.id, status, at],
      });
    }
    raw.close();
    // Before catching up, the rollups do not know the imported outages.
    const stale = (await loadUptimes(db, [a.id], now)).get(a.id)!;
    expect(stale.days.some((d) => d.worst === 'major_outage')).toBe(false);

    expect(await catchUpUptimeRollups(db)).toEqual({ components: 1, changes: 6 });
    await expectSameAsRaw([a.id]);
    expect((await loadUptimes(db, [a.id], now)).get(a.id)!.days.some((d) => d.worst === 'major_outage')).toBe(true);
    // Nothing new: nothing to do.
    expect(await catchUpUptimeRollups(db)).toEqual({ components: 0, changes: 0 });
  });

  test('a read keeps the rollups until a write through any handle moves their version', async () => {
    const a = await createComponent(db, { name: 'API' }, { now: now - 10 * DAY_MS });
    await setComponentStatus(db, a.id, { status: 'major_outage' }, now - 2 * DAY_MS);
    // Another instance: its own client on the same file, counting the rollup reads it makes.
    const client = createClient({ url: `file:${file}` });
    let rollupReads = 0;
    const counting = new Proxy(client, {
      get(target, name) {
        if (name === 'execute')
          return (stmt: InStatement) => {
            if ((typeof stmt === 'string' ? stmt : stmt.sql).includes('component_uptime_days')) rollupReads++;
            return target.execute(stmt);
          };
        const value: unknown = Reflect.get(target, name);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const other = drizzle(counting, { schema });
    const rawUptime = async (at: number) =>
      computeUptime((await statusHistorySince(db, uptimeWindowStart(at), [a.id])).get(a.id) ?? [], at);
    try {
      expect((await loadUptimes(other, [a.id], now)).get(a.id)).toEqual(await rawUptime(now));
      // Later the same day: the open interval is longer, the rollups are the ones already read.
      expect((await loadUptimes(other, [a.id], now + HOUR)).get(a.id)).toEqual(await rawUptime(now + HOUR));
      expect(rollupReads).toBe(1);
      // A write through the other handle (another instance) is seen on the next read.
      await setComponentStatus(db, a.id, { status: 'operational' }, now - DAY_MS);
      expect((await loadUptimes(other, [a.id], now + HOUR)).get(a.id)).toEqual(await rawUptime(now + HOUR));
      expect(rollupReads).toBe(2);
      // So is a back-dated change, which rebuilds the component's rollups.
      await setComponentStatus(db, a.id, { status: 'partial_outage' }, now - 5 * DAY_MS);
      expect((await loadUptimes(other, [a.id], now + HOUR)).get(a.id)).toEqual(await rawUptime(now + HOUR));
      expect(rollupReads).toBe(3);
      // The next day's window is read afresh.
      expect((await loadUptimes(other, [a.id], now + DAY_MS)).get(a.id)).toEqual(await rawUptime(now + DAY_MS));
      expect(rollupReads).toBe(4);
    } finally {
      client.close();
    }
  });
});
