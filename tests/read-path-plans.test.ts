// Every query the public read path runs has an index: the SQL of each public page's and
// document's domain functions is captured as it runs against the demo, and SQLite's EXPLAIN
// QUERY PLAN for it must not walk a whole table (or a whole index) of one that grows with
// history. Without ANALYZE statistics SQLite plans from the schema alone, so the plans seen here
// on the demo are the ones a database with 100,000 incidents gets (bench/history.ts measures that).
import { createClient, type InStatement } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { beforeAll, describe, expect, test } from 'vitest';
import { getHandle, type Db } from '../src/db/client.ts';
import * as schema from '../src/db/schema/index.ts';
import { loadHistoryFeed } from '../src/domain/feeds.ts';
import { getIncident } from '../src/domain/incidents.ts';
import { getVisibleMaintenance, loadRecentMaintenance } from '../src/domain/maintenance.ts';
import { EVERYTHING, type Visibility } from '../src/domain/audiences/visibility.ts';
import { PUBLIC_VIEWER } from '../src/domain/audiences/viewer.ts';
import { loadActiveIncidents, loadHistoryMonth, loadStatusPage, monthKey } from '../src/domain/public-page.ts';
import { listPostmortems, postmortemSlugsFor, rcaStatusForIncident } from '../src/domain/rca/postmortems.ts';
import {
  componentsDocument,
  incidentsDocument,
  maintenancesDocument,
  statusDocument,
  summaryDocument,
} from '../src/domain/statuspage-api.ts';
import { uptimeWindowStart } from '../src/domain/uptime.ts';
import { statusHistorySince } from '../src/domain/uptime-rollups.ts';
import { seedDemo } from '../src/seed/demo.ts';
import type { MessageContext } from '../src/domain/notify/links.ts';
import { freshDb } from './support/db.ts';

/** Tables whose size grows with the page's history. */
const LARGE = new Set([
  'incidents',
  'incident_updates',
  'incident_update_components',
  'component_status_changes',
  'component_uptime_days',
  'maintenances',
  'maintenance_updates',
]);

const ctx: MessageContext = { publicUrl: 'http://status.example.com', siteName: 'Example', timeZone: 'UTC' };

/** The SQL that `run` sends through the database it is given, each statement once. */
async function capture(run: (db: Db) => Promise<unknown>): Promise<InStatement[]> {
  const client = createClient({ url: process.env.DATABASE_URL! });
  const seen = new Map<string, InStatement>();
  const recording = new Proxy(client, {
    get(target, name) {
      if (name === 'execute')
        return (stmt: InStatement) => {
          seen.set(typeof stmt === 'string' ? stmt : stmt.sql, stmt);
          return target.execute(stmt);
        };
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  try {
    await run(drizzle(recording, { schema }));
  } finally {
    client.close();
  }
  return [...seen.values()];
}

/** The plan steps that walk a whole large table or index, with the table each alias names. */
async function fullScans(stmt: InStatement): Promise<string[]> {
  const sql = typeof stmt === 'string' ? stmt : stmt.sql;
  const args = typeof stmt === 'string' ? [] : stmt.args;
  const plan = await getHandle().client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args });
  const aliases = new Map<string, string>();
  for (const m of sql.matchAll(/(?:from|join)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    aliases.set(m[1], m[1]);
    if (m[2]) aliases.set(m[2], m[1]);
  }
  const details = plan.rows.map((r) => String(r.detail));
  // Walking an index in the ORDER BY's order under a LIMIT stops after that many rows: bounded.
  const limitedWalk = /\blimit\b/i.test(sql) && !details.some((d) => d.includes('TEMP B-TREE FOR ORDER BY'));
  return details
    .filter((detail) => {
      // A search on `published` alone matches nearly every row: as good as a scan.
      // So is a SEARCH without an index (SQLite's word for max() over a whole table).
      const walked =
        /^(?:SCAN "?(\w+)"?( USING (?:COVERING )?INDEX)?|SEARCH "?(\w+)"? USING .*\(published=\?\)$|SEARCH "?(\w+)"?$)/.exec(
          detail,
        );
      if (walked === null) return false;
      const table = walked[1] ?? walked[3] ?? walked[4];
      if (!LARGE.has(aliases.get(table) ?? table)) return false;
      const ordered = walked[2] !== undefined || walked[3] !== undefined;
      return !(ordered && limitedWalk);
    })
    .map((detail) => `${detail}  <-  ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
}

let db: Db;
const now = Date.UTC(2026, 10, 22, 12, 0, 0);

beforeAll(async () => {
  ({ db } = await freshDb());
  await seedDemo(db, now);
});

describe('read path query plans', () => {
  test('the check finds a full scan when there is one', async () => {
    expect(await fullScans({ sql: 'SELECT id FROM incidents WHERE title = ?', args: ['x'] })).toHaveLength(1);
    expect(
      await fullScans({ sql: 'SELECT s.id FROM component_status_changes s WHERE s.status = ?', args: ['x'] }),
    ).toHaveLength(1);
  });

  // Without audiences the conditions are the plain public ones; with some, every public read adds
  // "touches a component this reader sees": that must keep an index too.
  const HIDING: Visibility = { viewer: PUBLIC_VIEWER, hiddenComponentIds: [2], hiddenGroupIds: [1] };
  test.each([
    ['without audiences', EVERYTHING],
    ['with components hidden from the reader', HIDING],
  ])('no public page or document walks a whole table that grows with history (%s)', async (_name, v) => {
    const [newest] = await loadActiveIncidents(db, EVERYTHING, { includeDrafts: true });
    const incidents = (await loadStatusPage(db, EVERYTHING, now)).recentDays.flatMap((d) => d.incidents);
    const anIncident = newest ?? incidents[0];
    expect(anIncident).toBeDefined();
    const [aWindow] = await loadRecentMaintenance(db, 1, EVERYTHING);
    const statements = await capture(async (db) => {
      await loadStatusPage(db, v, now);
      await loadHistoryMonth(db, v, monthKey(now), now, 1);
      // A month filtered by component reads the incidents that touched it through its index.
      await loadHistoryMonth(db, v, monthKey(now), now, 1, { componentId: 1, search: '' });
      await loadHistoryMonth(db, v, null, now, 1, { componentId: 1, search: '' });
      await getIncident(db, anIncident.id);
      await rcaStatusForIncident(db, anIncident.id, v, now);
      await postmortemSlugsFor(db, [anIncident.id], v);
      await summaryDocument(db, ctx, v);
      await statusDocument(db, ctx, v);
      await componentsDocument(db, ctx, v);
      await incidentsDocument(db, ctx, v, 'recent');
      await incidentsDocument(db, ctx, v, 'unresolved');
      for (const which of ['recent', 'upcoming', 'active'] as const) await maintenancesDocument(db, ctx, v, which);
      await loadHistoryFeed(db, ctx, 'Example', v);
      await listPostmortems(db, v, now);
      if (aWindow) await getVisibleMaintenance(db, aWindow.id, v);
      // The uptime of a component the rollups have not folded yet is read from the raw history.
      await statusHistorySince(db, uptimeWindowStart(now), [1, 2]);
    });
    expect(statements.length).toBeGreaterThan(20);
    if (v === HIDING)
      expect(statements.some((s) => /NOT IN \(2\)/i.test(typeof s === 'string' ? s : s.sql))).toBe(true);
    const scans = (await Promise.all(statements.map(fullScans))).flat();
    expect(scans).toEqual([]);
  });
});
