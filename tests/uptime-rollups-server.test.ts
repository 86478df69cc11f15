// History the rollups have not seen — written straight into the tables while Candor was stopped,
// as an import or an earlier version leaves it — is folded at the next start: the status page's
// bars and percentages then match uptime computed from the raw history (computeUptime).
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, test } from 'vitest';
import { closeDb, getDb } from '../src/db/client.ts';
import { formatDuration } from '../src/domain/format.ts';
import { COMPONENT_STATE_LABELS, type ComponentState } from '../src/domain/status.ts';
import { computeUptime, DAY_MS, formatPercent, uptimeWindowStart, type Uptime } from '../src/domain/uptime.ts';
import { statusHistorySince } from '../src/domain/uptime-rollups.ts';
import { startServer, type TestServer } from './support/server.ts';

const HOUR = 3_600_000;

interface Shown {
  percent: string;
  bars: { state: string; title: string }[];
}

/** Each component's percentage and bars as the page shows them. */
function shownUptime(html: string): Map<number, Shown> {
  const shown = new Map<number, Shown>();
  for (const part of html.split('data-component-id="').slice(1)) {
    const id = Number(part.slice(0, part.indexOf('"')));
    const svg = part.slice(0, part.indexOf('</svg>'));
    const percent = /aria-label="[^"]*: ([^"]+) uptime over the last/.exec(svg);
    if (!percent) continue;
    const bars = [...svg.matchAll(/class="bar bar-([a-z_]+)"><title>([^<]*)<\/title>/g)].map((m) => ({
      state: m[1],
      title: m[2],
    }));
    shown.set(id, { percent: percent[1], bars });
  }
  return shown;
}

/** What the page must show for `uptime`: the bar states, the durations each title names. */
function expectShows(shown: Shown, uptime: Uptime) {
  expect(shown.bars.map((b) => b.state)).toEqual(uptime.days.map((d) => d.worst ?? 'none'));
  uptime.days.forEach((day, i) => {
    for (const [state, ms] of Object.entries(day.durations))
      expect(shown.bars[i].title).toContain(`${COMPONENT_STATE_LABELS[state as ComponentState]} ${formatDuration(ms)}`);
  });
}

let server: TestServer | null = null;
afterAll(async () => {
  await server?.stop();
  closeDb();
});

describe('uptime rollups at start', () => {
  test('history inserted straight into the tables shows in the bars and percentages after a restart', async () => {
    server = await startServer();
    await server.stop();
    const file = server.dbFile;

    const raw = createClient({ url: `file:${file}` });
    const now = Date.now();
    const day = (daysAgo: number) => Math.floor((now - daysAgo * DAY_MS) / DAY_MS) * DAY_MS;
    // An existing component (the demo's API) gets outages the rollups never saw, one of them
    // dated before everything it already had; a component is created straight in the tables.
    const api = Number((await raw.execute("SELECT id FROM components WHERE name = 'API'")).rows[0].id);
    const created = await raw.execute({
      sql: "INSERT INTO components (name, status, created_at, updated_at) VALUES ('Imported', 'operational', ?, ?) RETURNING id",
      args: [now - 200 * DAY_MS, now - 200 * DAY_MS],
    });
    const imported = Number(created.rows[0].id);
    const changes: [number, ComponentState, number][] = [
      [api, 'major_outage', day(80) + 22 * HOUR], // across midnight
      [api, 'operational', day(79) + 1 * HOUR],
      [api, 'partial_outage', day(12) + 9 * HOUR],
      [api, 'operational', day(12) + 13 * HOUR],
      [imported, 'operational', now - 200 * DAY_MS],
      [imported, 'major_outage', day(95)], // before the window: the window opens in an outage
      [imported, 'degraded_performance', day(88) + 6 * HOUR],
      [imported, 'operational', day(87)],
      [imported, 'under_maintenance', day(2) + 3 * HOUR],
      [imported, 'operational', day(2) + 5 * HOUR],
    ];
    for (const [componentId, status, at] of changes) {
      await raw.execute({
        sql: 'INSERT INTO component_status_changes (component_id, status, changed_at) VALUES (?, ?, ?)',
        args: [componentId, status, at],
      });
    }
    raw.close();

    server = await startServer({ dbFile: file });
    expect(server.output()).toMatch(/uptime rollups: folded \d+ status changes of 2 components/);
    const before = Date.now();
    const html = await (await fetch(`${server.url}/`)).text();
    const after = Date.now();

    // The reference: computeUptime over the raw history, at the times around the request.
    process.env.DATABASE_URL = `file:${file}`;
    closeDb();
    const reference = async (at: number) => {
      const history = await statusHistorySince(getDb(), uptimeWindowStart(at));
      return new Map([...history].map(([id, list]) => [id, computeUptime(list, at)]));
    };
    const [early, late] = [await reference(before), await reference(after)];
    const shown = shownUptime(html);
    expect([...shown.keys()]).toContain(imported);
    for (const [id, page] of shown) {
      const uptime = late.get(id)!;
      expectShows(page, uptime);
      expect([formatPercent(early.get(id)!.percent), formatPercent(uptime.percent)]).toContain(page.percent);
    }
    // The imported outages are there: the test cannot pass on the history from before.
    expect(shown.get(api)!.bars.filter((b) => b.state === 'major_outage')).toHaveLength(2);
    expect(shown.get(imported)!.bars[0].state).toBe('major_outage');
    expect(shown.get(imported)!.percent).not.toBe('100.00%');
  });
});
