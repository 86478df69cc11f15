// History is free: the uncached render of the public pages with 100,000 resolved incidents
// (300,000 updates, 200,000 component status changes) against the demo database, in one run.
// The demo has 4 incidents, so lists there are shorter than the bounded lists a long history
// fills (50 incidents in incidents.json, 25 feed entries, 25 a month page); a third server with
// a short history (2,000 incidents, every list full) separates the cost of history from the
// cost of a full list.
//
// How "uncached" is measured: the front server caches public pages until the change feed reports
// a change, so each sample first writes a row to change_events (as any change does, with no
// subject, as a draft's change is announced), waits until the server announces it on /events
// (it drops its page cache before it tells viewers), then times one GET of the path, and checks
// that the answer says `x-cache: miss` (the request rendered it). This is exactly the render a
// viewer triggers after a real change: no test-only switch, nothing the server does differently.
// The SQLite page cache, and the memo of rendered Markdown, are as warm as after a change in
// production (the page renders again mostly what it showed before); the first render of each
// path after start, cold, is printed beside the figures. Demo and history servers run side by
// side and are sampled in turn, so the shared machine's changing load weighs on both alike.
//
// The big database is the demo (seeded by a first start) plus history written straight into the
// tables with SQL, as an import or an earlier version would leave it: the second start folds it
// into the uptime rollups (catchUpUptimeRollups) before serving.
import { createClient, type Transaction } from '@libsql/client';
import { median, range } from './stats.ts';
import { startServer, tempDbFile, type TestServer } from '../tests/support/server.ts';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 100_000);
/** A short history that still fills every list (a page of a month, 50 in the JSON, the feed). */
const SHORT = Number(process.env.BENCH_SHORT_INCIDENTS ?? 2_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const YEARS = 5;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TARGET = 1.2;

const BODIES = [
  'We are investigating reports of elevated error rates. Requests may fail and can be **retried safely**; next update within 30 minutes.',
  'The cause is identified: a configuration change removed healthy servers from rotation. We are rolling it back.',
  'The rollback is complete and the service has been healthy for 30 minutes. Between the start and the fix some requests failed.',
];
const STATES = ['degraded_performance', 'partial_outage', 'major_outage'] as const;

/** Deterministic numbers, so every run builds the same history. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

async function insertJson(client: Transaction, sql: string, rows: unknown[][]) {
  for (let i = 0; i < rows.length; i += 20_000) {
    await client.execute({ sql, args: [JSON.stringify(rows.slice(i, i + 20_000))] });
  }
}

/** Writes `count` resolved incidents over the last YEARS years into a demo database. */
async function writeHistory(file: string, now: number, count: number): Promise<void> {
  const client = createClient({ url: `file:${file}` });
  const components = (await client.execute('SELECT id FROM components ORDER BY id')).rows.map((r) => Number(r.id));
  // The demo's own outages: generated ones on the same component stay clear of them.
  const busy = (await client.execute('SELECT component_id, changed_at FROM component_status_changes')).rows.map(
    (r) => [Number(r.component_id), Number(r.changed_at)] as const,
  );
  const ids = await client.execute(
    `SELECT (SELECT coalesce(max(id), 0) FROM incidents) AS i, (SELECT coalesce(max(id), 0) FROM incident_updates) AS u`,
  );
  let incidentId = Number(ids.rows[0].i);
  let updateId = Number(ids.rows[0].u);
  const rand = random(13);
  const from = now - YEARS * 365 * DAY;
  const spacing = (now - 3 * HOUR - from) / count;
  const incidents: unknown[][] = [];
  const updates: unknown[][] = [];
  const affected: unknown[][] = [];
  const changes: unknown[][] = [];
  for (let n = 0; n < count; n++) {
    // Round robin over components: one component's incidents are hours apart and never overlap.
    const component = components[n % components.length];
    const start = Math.round(from + n * spacing + rand() * spacing * 0.5);
    const end = start + Math.round((10 + rand() * 80) * 60_000);
    if (busy.some(([c, at]) => c === component && at > start - DAY && at < end + DAY)) continue;
    const state = STATES[Math.floor(rand() * STATES.length)];
    const impact = state === 'major_outage' ? 'major' : 'minor';
    const id = ++incidentId;
    incidents.push([id, `Incident ${n}: elevated errors`, impact, start, end]);
    const times = [start, start + Math.round((end - start) / 3), end];
    const statuses = ['investigating', 'identified', 'resolved'];
    for (let k = 0; k < 3; k++) {
      const u = ++updateId;
      // Each text its own (a real history repeats no text): rendering is memoised per text.
      updates.push([u, id, statuses[k], `${BODIES[k]} (ref ${n}-${k})`, times[k]]);
      if (k === 0) {
        affected.push([u, component, 'operational', state]);
        changes.push([component, state, times[k], id]);
      }
      if (k === 2) {
        affected.push([u, component, state, 'operational']);
        changes.push([component, 'operational', times[k], id]);
      }
    }
  }
  const tx = await client.transaction('write');
  await insertJson(
    tx,
    `INSERT INTO incidents (id, title, impact, status, started_at, resolved_at, published, created_at, updated_at)
     SELECT value->>0, value->>1, value->>2, 'resolved', value->>3, value->>4, 1, value->>3, value->>4 FROM json_each(?)`,
    incidents,
  );
  await insertJson(
    tx,
    `INSERT INTO incident_updates (id, incident_id, status, body, created_at, display_at, author_name)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>4, 'On-call' FROM json_each(?)`,
    updates,
  );
  await insertJson(
    tx,
    `INSERT INTO incident_update_components (update_id, component_id, old_status, new_status)
     SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)`,
    affected,
  );
  await insertJson(
    tx,
    `INSERT INTO component_status_changes (component_id, status, changed_at, incident_id)
     SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)`,
    changes,
  );
  await tx.commit();
  client.close();
  console.log(
    `wrote ${incidents.length} incidents, ${updates.length} updates, ${changes.length} status changes over ${YEARS} years`,
  );
}

/** Waits for the next change announcement on an open /events stream. */
function eventStream(url: string) {
  const controller = new AbortController();
  let buffer = '';
  let waiting: (() => void) | null = null;
  const ready = fetch(`${url}/events`, { signal: controller.signal }).then(async (res) => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value);
        if (/event: change/.test(buffer)) {
          buffer = '';
          waiting?.();
        }
      }
    })();
  });
  return {
    ready,
    next: () =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error('no change announced on /events within 10 s')), 10_000);
        waiting = () => {
          clearTimeout(timer);
          ok();
        };
      }),
    close: () => controller.abort(),
  };
}

interface Figures {
  median: number;
  min: number;
  max: number;
}

function figures(samples: number[]): Figures {
  return { median: median(samples), ...range(samples) };
}

/** A running server with its own writer and /events stream, to time one uncached render. */
async function prober(server: TestServer) {
  const writer = createClient({ url: `file:${server.dbFile}` });
  const events = eventStream(server.url);
  await events.ready;
  return {
    async render(path: string): Promise<number> {
      const announced = events.next();
      await writer.execute("INSERT INTO change_events (kind, subject) VALUES ('incident', '')");
      await announced;
      const t0 = performance.now();
      const res = await fetch(server.url + path, { headers: { 'accept-encoding': 'identity' } });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      if (res.headers.get('x-cache') !== 'miss')
        throw new Error(`${path} was not rendered (x-cache: ${res.headers.get('x-cache')})`);
      return ms;
    },
    close() {
      events.close();
      writer.close();
    },
  };
}

type Prober = Awaited<ReturnType<typeof prober>>;

/**
 * Samples both servers in turn, path by path (the order swapped each round), so a change in the
 * machine's load — it is shared — weighs on both sides alike.
 */
async function measure(sides: [Prober, string[]][]): Promise<{ first: number[]; figures: Figures[] }[]> {
  const out = sides.map(() => ({ first: [] as number[], figures: [] as Figures[] }));
  for (let p = 0; p < sides[0][1].length; p++) {
    const samples = sides.map(() => [] as number[]);
    // The first render of each path runs cold (code not yet optimised, texts not yet rendered).
    for (let s = 0; s < sides.length; s++) out[s].first.push(await sides[s][0].render(sides[s][1][p]));
    for (let i = 0; i < SAMPLES; i++) {
      const order = i % 2 ? [...sides.keys()].reverse() : [...sides.keys()];
      for (const s of order) samples[s].push(await sides[s][0].render(sides[s][1][p]));
    }
    samples.forEach((list, s) => out[s].figures.push(figures(list)));
  }
  return out;
}

/** The paths timed: last month's history (a full month), the newest incident. */
async function pickPaths(file: string): Promise<string[]> {
  const client = createClient({ url: `file:${file}` });
  const newest = await client.execute('SELECT id FROM incidents WHERE published = 1 ORDER BY started_at DESC LIMIT 1');
  client.close();
  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  return [
    '/',
    `/history?month=${lastMonth}`,
    `/incidents/${Number(newest.rows[0].id)}`,
    '/api/v2/summary.json',
    '/api/v2/incidents.json',
    '/history.atom',
  ];
}

const env = { CANDOR_POLL_MS: '20' };
const format = (f: Figures) => `${f.median.toFixed(1)} (${f.min.toFixed(1)}–${f.max.toFixed(1)})`;

/** A demo database with `count` incidents of history written into it, served. */
async function withHistory(count: number): Promise<TestServer> {
  const file = tempDbFile();
  const seeding = await startServer({ dbFile: file, env });
  await seeding.stop();
  const t0 = performance.now();
  await writeHistory(file, Date.now(), count);
  console.log(`  written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  const server = await startServer({ dbFile: file, env });
  const folded = /uptime rollups: [^\n]*/.exec(server.messages());
  console.log(
    `  the next start took ${((performance.now() - t1) / 1000).toFixed(1)} s: ${folded?.[0] ?? 'nothing folded'}`,
  );
  return server;
}

const servers = [await startServer({ env }), await withHistory(SHORT), await withHistory(INCIDENTS)];
const paths = await Promise.all(servers.map((s) => pickPaths(s.dbFile)));
const probes = await Promise.all(servers.map(prober));
let results: Awaited<ReturnType<typeof measure>>;
try {
  results = await measure(probes.map((p, i) => [p, paths[i]]));
} finally {
  for (const p of probes) p.close();
  await Promise.all(servers.map((s) => s.stop()));
}

const label = (path: string) => path.replace(/\/incidents\/\d+$/, '/incidents/:id').replace(/month=[\d-]+/, 'month=…');
const big = INCIDENTS.toLocaleString('en');
console.log(
  `uncached render in ms, median (min–max) of ${SAMPLES} samples, the servers sampled in turn: the demo, ` +
    `${SHORT.toLocaleString('en')} and ${big} incidents of history. Ratios of ${big} to the demo ` +
    `(target each <= ${TARGET}x) and to ${SHORT.toLocaleString('en')}, by medians and by minimums`,
);
let worst = 0;
for (let i = 0; i < paths[0].length; i++) {
  const [d, s, b] = results.map((r) => r.figures[i]);
  const ratio = b.median / d.median;
  worst = Math.max(worst, ratio);
  console.log(
    `${label(paths[2][i]).padEnd(24)} demo ${format(d)} · short ${format(s)} · long ${format(b)}\n` +
      `${''.padEnd(24)} vs demo ${ratio.toFixed(2)}x (min ${(b.min / d.min).toFixed(2)}x)${ratio > TARGET ? ' ABOVE TARGET' : ''}` +
      ` · vs short ${(b.median / s.median).toFixed(2)}x (min ${(b.min / s.min).toFixed(2)}x)` +
      ` · first render ${results.map((r) => r.first[i].toFixed(1)).join(' / ')}`,
  );
}
console.log(`worst ratio to the demo ${worst.toFixed(2)}x`);
