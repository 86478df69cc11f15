// Importing a Statuspage page through the real CLI (`candor import statuspage`) from a local server
// that answers as Statuspage documents its public documents and management API, with paging, a
// 429 with Retry-After, a connection dropped mid-answer and odd data. Then the real built server
// on the imported database: its own /api/v2/summary.json and incidents.json say what the source's
// say (names, statuses, order, update texts), the 90-day uptime shows the imported outages, and
// nobody was told anything until something new happens.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeDb, getDb } from '../src/db/client.ts';
import { loadUptimes } from '../src/domain/uptime-rollups.ts';
import { uptimeWindowStart } from '../src/domain/uptime.ts';
import { api, createUserWithToken } from './support/api.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { mailEnv } from './support/subscribers.ts';
import {
  API_KEY,
  buildFixture,
  COMPONENTS,
  HISTORY,
  OUTAGE_MS,
  PAGE_ID,
  StatuspageSource,
} from './support/statuspage-source.ts';

const ROOT = resolve(import.meta.dirname, '..');
const NOW = Date.now();
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

function cli(dbFile: string, ...args: string[]) {
  return new Promise<{ code: number; out: string; err: string }>((ok) => {
    execFile(
      process.execPath,
      ['src/cli/candor.ts', 'import', 'statuspage', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${dbFile}` }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => ok({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

async function query(file: string, sql: string, args: (string | number)[] = []) {
  const client = createClient({ url: `file:${file}` });
  try {
    return (await client.execute({ sql, args })).rows;
  } finally {
    client.close();
  }
}

async function counts(file: string) {
  const tables = [
    'components',
    'component_groups',
    'incidents',
    'incident_updates',
    'maintenances',
    'subscribers',
    'notifications',
    'deliveries',
    'component_status_changes',
    'imported_records',
    'change_events',
    'audit_log',
  ];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await query(file, `select count(*) as n from ${t}`))[0].n);
  return out;
}

/** "incidents: 120 created, 0 updated, 0 unchanged, 1 skipped" → numbers. */
function line(out: string, kind: string) {
  const m = new RegExp(
    `^${kind}: (\\d+) (?:would be )?created, (\\d+) (?:would be )?updated, (\\d+) unchanged, (\\d+) skipped$`,
    'm',
  ).exec(out);
  if (!m) throw new Error(`no "${kind}" line in:\n${out}`);
  return { created: Number(m[1]), updated: Number(m[2]), unchanged: Number(m[3]), skipped: Number(m[4]) };
}

const full = (source: StatuspageSource) => ['--page-id', PAGE_ID, '--api-key', API_KEY, '--api-base', source.url];

type Json = Record<string, any>;

/** What an incident of the source should look like in Candor's v2 JSON, by the documented rules. */
function expectedIncident(i: Json) {
  const updates = (i.incident_updates as Json[])
    .filter((u) => u.status !== 'escalated') // a status Candor does not know: left out, reported
    .map((u) => [
      u.status === 'postmortem' ? 'resolved' : u.status,
      u.body === null ? '' : String(u.body).replace('<script>alert("x")</script>', ''),
      u.display_at,
    ]);
  if (i.postmortem_published_at)
    updates.unshift(['resolved', `**Postmortem**\n\n${i.postmortem_body}`, i.postmortem_published_at]);
  return {
    name: i.name,
    status: i.status === 'postmortem' ? 'resolved' : i.status,
    impact: i.impact ?? 'none',
    created_at: i.created_at,
    resolved_at: i.resolved_at,
    updates,
  };
}

const candorIncident = (i: Json) => ({
  name: i.name,
  status: i.status,
  impact: i.impact,
  created_at: i.created_at,
  resolved_at: i.resolved_at,
  updates: (i.incident_updates as Json[]).map((u) => [u.status, u.body, u.display_at]),
});

describe('candor import statuspage (management API)', () => {
  const dbFile = tempDbFile();
  let source: StatuspageSource;
  const incidentsPage2 = `/v1/pages/${PAGE_ID}/incidents?page=2&limit=100`;
  const subscribersPage1 = `/v1/pages/${PAGE_ID}/subscribers?state=active&page=1&limit=100`;

  beforeAll(async () => {
    source = new StatuspageSource(buildFixture(NOW), {
      rateLimitOnce: [incidentsPage2, '/api/v2/components.json'],
      dropOnce: [subscribersPage1],
      retryAfter: '1',
    });
    await source.start();
    cleanup.push(() => source.stop());
  });

  test('a dry run says what it would create and writes nothing', async () => {
    const dry = await cli(dbFile, ...full(source), '--dry-run');
    expect(dry.err).not.toMatch(/^error/m);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^dry run: yes/m);
    expect(line(dry.out, 'components')).toEqual({ created: 6, updated: 0, unchanged: 0, skipped: 0 });
    expect(line(dry.out, 'incidents')).toEqual({ created: HISTORY, updated: 0, unchanged: 0, skipped: 1 });
    expect(line(dry.out, 'maintenances')).toEqual({ created: 3, updated: 0, unchanged: 0, skipped: 0 });
    // What, not only how many.
    expect(dry.out).toMatch(/^would create: incident inc-open \(Elevated API latency\)$/m);
    expect(dry.out).toMatch(/^would create: subscriber sub-alice \(email alice@example\.com\)$/m);
    expect(dry.out.match(/^would create: /gm)).toHaveLength(2 + 6 + HISTORY + 3 + 143);
    const after = await counts(dbFile);
    for (const table of [
      'components',
      'component_groups',
      'incidents',
      'maintenances',
      'subscribers',
      'imported_records',
      'change_events',
      'audit_log',
    ])
      expect(after[table], table).toBe(0);
  });

  test('the import pages through every list, waits out the 429, resumes after the dropped connection and says what it skipped', async () => {
    source.rearm();
    const run = await cli(dbFile, ...full(source));
    expect(run.err).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    // Paging: both pages of incidents and of active subscribers; page 1 was not asked again after
    // page 2's 429, and the dropped answer was asked for again from where it broke off.
    expect(source.count(`/v1/pages/${PAGE_ID}/incidents?page=1&limit=100`)).toBe(1);
    expect(source.requests.filter((r) => r === incidentsPage2)).toHaveLength(2);
    expect(source.count(incidentsPage2)).toBe(1);
    expect(source.requests.filter((r) => r === subscribersPage1)).toHaveLength(2);
    expect(source.count(`/v1/pages/${PAGE_ID}/subscribers?state=active&page=0&limit=100`)).toBe(1);
    expect(run.err).toMatch(/waiting 1 s \(rate limited \(429\)\)/);
    expect(run.err).toMatch(/\(network error/);
    // Off a terminal, the progress bar is one line per step.
    expect(run.err).toMatch(/^read: incidents…$/m);
    expect(run.err).toMatch(/^write: items…$/m);
    expect(run.out).toMatch(/^requests: \d+ \(2 retried\)$/m);

    expect(line(run.out, 'groups')).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: 0 });
    expect(line(run.out, 'components')).toEqual({ created: 6, updated: 0, unchanged: 0, skipped: 0 });
    expect(line(run.out, 'incidents')).toEqual({ created: HISTORY, updated: 0, unchanged: 0, skipped: 1 });
    expect(line(run.out, 'maintenances')).toEqual({ created: 3, updated: 0, unchanged: 0, skipped: 0 });
    // alice, bob, the webhook and 140 readers; carol (unconfirmed), dave (quarantined), SMS,
    // Slack, a private webhook address, erin (her component is gone) and a null email are not.
    expect(line(run.out, 'subscribers')).toEqual({ created: 143, updated: 0, unchanged: 0, skipped: 7 });
    expect(run.out).toMatch(/^page: Acme Cloud Status <https:\/\/www\.acme\.example> \(used as this page's name\)$/m);
    for (const reason of [
      /^skipped: incident inc0003: an incident without a name$/m,
      /^skipped: subscriber sub-carol \(email carol@example\.com\): never confirmed at Statuspage/m,
      /^skipped: subscriber sub-dave \(email dave@example\.com\): quarantined at Statuspage/m,
      /^skipped: subscriber sub-sms \(sms\): Candor does not send text messages/m,
      /^skipped: subscriber sub-slack \(slack\): Slack subscriptions are confirmed from inside the channel/m,
      /^skipped: subscriber sub-private \(webhook http:\/\/10\.0\.0\.5\/hook\): its webhook address cannot be used: 10\.0\.0\.5 is/m,
      /^skipped: subscriber sub-erin \(email erin@example\.com\): none of the components they chose was imported$/m,
      /^skipped: subscriber sub-bad \(email\): its email address is missing or not valid$/m,
      /^warning: incident inc0117 \(Errors on .*\): update inc0117-u2 has status "escalated", which Candor does not know; it was left out$/m,
      /^warning: incident inc0114 \(.*\): it has no impact; taken as none$/m,
      /^warning: incident inc0113 \(.*\): update inc0113-u2 has no text$/m,
    ])
      expect(run.out).toMatch(reason);

    // Nobody is told anything: no message was even queued.
    const db = await counts(dbFile);
    expect(db.notifications).toBe(0);
    expect(db.deliveries).toBe(0);
    // The draft post-mortem stayed behind; the published one arrived.
    const texts = (await query(dbFile, 'select body from incident_updates')).map((r) => String(r.body));
    expect(texts.some((t) => t.includes('DRAFT'))).toBe(false);
    expect(texts.filter((t) => t.startsWith('**Postmortem**'))).toHaveLength(1);
    expect(texts.some((t) => /<script|alert\(/.test(t))).toBe(false);
    // Consent: confirmed, their choices kept (Alice: two components; Bob and the webhook: all).
    const subs = await query(
      dbFile,
      `select s.address, s.state, s.kind, s.all_components, group_concat(c.name, '|') as chosen
       from subscribers s left join subscriber_components sc on sc.subscriber_id = s.id
       left join components c on c.id = sc.component_id group by s.id order by s.address`,
    );
    const alice = subs.find((s) => s.address === 'alice@example.com')!;
    expect(alice.state).toBe('active');
    expect(String(alice.chosen).split('|').sort()).toEqual(['REST API', 'Web app']);
    expect(subs.find((s) => s.address === 'bob@example.com')).toMatchObject({
      state: 'active',
      all_components: 1,
      chosen: null,
    });
    expect(subs.find((s) => s.kind === 'webhook')).toMatchObject({
      address: 'https://hooks.example.net/statuspage',
      state: 'active',
    });
    expect(subs.filter((s) => s.state !== 'active')).toEqual([]);
    expect(subs.map((s) => s.address)).not.toContain('carol@example.com');
    // Audited once, with the counts.
    const audit = await query(dbFile, "select after from audit_log where action = 'import.statuspage'");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(String(audit[0].after)).counts.incident.created).toBe(HISTORY);
  });

  test('running again creates nothing; a change at the source is an update, not a copy', async () => {
    const before = await counts(dbFile);
    const again = await cli(dbFile, ...full(source));
    expect(again.code).toBe(0);
    for (const kind of ['groups', 'components', 'incidents', 'maintenances'])
      expect(line(again.out, kind), kind).toMatchObject({ created: 0, updated: 0 });
    expect(line(again.out, 'subscribers')).toMatchObject({ created: 0, updated: 0, unchanged: 143 });
    const after = await counts(dbFile);
    for (const table of [
      'components',
      'incidents',
      'incident_updates',
      'maintenances',
      'subscribers',
      'component_status_changes',
    ])
      expect(after[table], table).toBe(before[table]);

    // The open incident moves on at the source: one more update, resolved.
    const open = source.fixture.incidents.find((i) => i.id === 'inc-open')!;
    const resolvedAt = new Date(NOW - 10 * 60_000).toISOString();
    (open.incident_updates as Json[]).unshift({
      id: 'inc-open-u3',
      incident_id: 'inc-open',
      status: 'resolved',
      body: 'The replica was replaced; latency is back to normal.',
      created_at: resolvedAt,
      updated_at: resolvedAt,
      display_at: resolvedAt,
      affected_components: [
        { code: 'cmp-rest', name: 'API - REST API', old_status: 'degraded_performance', new_status: 'operational' },
      ],
    });
    Object.assign(open, { status: 'resolved', resolved_at: resolvedAt, updated_at: resolvedAt });
    const rest = source.fixture.components.find((c) => c.id === 'cmp-rest')!;
    rest.status = 'operational';
    source.fixture.components.find((c) => c.id === 'grp-api')!.status = 'operational';
    source.fixture.status = { indicator: 'maintenance', description: 'Service Under Maintenance' };

    const dry = await cli(dbFile, ...full(source), '--dry-run');
    expect(line(dry.out, 'incidents')).toMatchObject({ created: 0, updated: 1 });
    expect(dry.out).toMatch(/^would update: incident inc-open \(Elevated API latency\)$/m);
    expect(line(dry.out, 'components')).toMatchObject({ created: 0, updated: 1 });
    expect(await counts(dbFile)).toEqual(after);

    const changed = await cli(dbFile, ...full(source));
    expect(line(changed.out, 'incidents')).toMatchObject({ created: 0, updated: 1, unchanged: HISTORY - 1 });
    const final = await counts(dbFile);
    expect(final.incidents).toBe(before.incidents);
    expect(final.incident_updates).toBe(before.incident_updates + 1);
    expect(final.notifications).toBe(0);
  });

  test("the real server's v2 documents match the source's; uptime shows the imported outages; only news is emailed", async () => {
    const mock = new ResendMock();
    await mock.start();
    cleanup.push(() => mock.stop());
    // No CANDOR_SEED: the imported page must not get the demo on top of it.
    const server: TestServer = await startServer({ dbFile, env: mailEnv(mock) });
    cleanup.push(() => server.stop());
    const get = async (path: string) => (await fetch(server.url + path)).json() as Promise<Json>;
    const sourceGet = async (path: string) => (await fetch(source.url + path)).json() as Promise<Json>;

    const [mine, theirs] = await Promise.all([get('/api/v2/summary.json'), sourceGet('/api/v2/summary.json')]);
    const named = (list: Json[]) => list.map((c) => [c.name, c.status]);
    expect(named(mine.components)).toEqual(named(theirs.components));
    expect(mine.page.name).toBe('Acme Cloud Status');
    expect(mine.status).toEqual(theirs.status);
    expect(mine.incidents.map(candorIncident)).toEqual(theirs.incidents.map(expectedIncident));
    const windows = (list: Json[]) => list.map((m) => [m.name, m.status, m.scheduled_for, m.scheduled_until]).sort();
    expect(windows(mine.scheduled_maintenances)).toEqual(windows(theirs.scheduled_maintenances));

    const [myList, theirList] = await Promise.all([get('/api/v2/incidents.json'), sourceGet('/api/v2/incidents.json')]);
    expect(myList.incidents).toHaveLength(50);
    expect(myList.incidents.map(candorIncident)).toEqual(theirList.incidents.map(expectedIncident));
    const markup = myList.incidents.find((i: Json) => i.name.endsWith('#118'));
    expect(markup.incident_updates.at(-1).body).toBe('Engineers are <strong>investigating</strong> now.');
    for (const path of [
      '/',
      '/history',
      `/incidents/${markup.id}`,
      `/maintenance/${mine.scheduled_maintenances[0].id.replace('maintenance-', '')}`,
    ])
      expect((await fetch(server.url + path)).status, path).toBe(200);
    const feed = await (await fetch(`${server.url}/history.atom`)).text();
    expect(feed).toContain('Errors on ');

    // Uptime: every imported outage, to the millisecond, in the 90-day window.
    process.env.DATABASE_URL = `file:${dbFile}`;
    closeDb();
    const ids = new Map<string, number>(
      (mine.components as Json[]).filter((c) => !c.group).map((c) => [String(c.name), Number(c.id)]),
    );
    const uptimes = await loadUptimes(getDb(), [...ids.values()], Date.now());
    const windowStart = uptimeWindowStart(Date.now());
    for (const c of COMPONENTS.slice(0, 4)) {
      const outages = source.fixture.incidents.filter(
        (i) =>
          i.name &&
          (i.components as Json[])[0].id === c.id &&
          i.id !== 'inc-open' &&
          Date.parse(String(i.created_at)) >= windowStart,
      );
      const uptime = uptimes.get(ids.get(c.name)!)!;
      const down = uptime.days.reduce((sum, d) => sum + (d.durations.major_outage ?? 0), 0);
      expect(down, c.name).toBe(outages.length * OUTAGE_MS);
      expect(uptime.days.filter((d) => d.worst === 'major_outage').length).toBeGreaterThanOrEqual(outages.length);
      expect(uptime.percent!).toBeLessThan(100);
    }
    const cdn = uptimes.get(ids.get('CDN')!)!;
    expect(cdn.days.reduce((sum, d) => sum + (d.durations.under_maintenance ?? 0), 0)).toBeGreaterThanOrEqual(
      60 * 60_000,
    );
    closeDb();

    // Nothing was queued by the import; a new incident reaches the imported subscribers of its component.
    expect(mock.emails).toHaveLength(0);
    const { token } = createUserWithToken(dbFile, 'support');
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Webhooks delayed',
      impact: 'minor',
      message: 'Webhook deliveries are delayed.',
      components: { [ids.get('Webhooks')!]: 'degraded_performance' },
    });
    expect(opened.status).toBe(201);
    const deadline = Date.now() + 20_000;
    while (mock.emails.length < 1 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
    const rows = await query(dbFile, "select count(*) as n from deliveries where channel = 'email'");
    expect(Number(rows[0].n)).toBe(1); // Bob follows everything; Alice and the readers chose others
    expect(mock.emails.map((e) => e.to)).toEqual(['bob@example.com']);
    expect(mock.emails[0].subject).toContain('Webhooks delayed');
  });
});

describe('candor import statuspage --from (public page)', () => {
  test('reads the public documents, then a full import of the same page adds to it without copies', async () => {
    const source = new StatuspageSource(buildFixture(NOW));
    await source.start();
    cleanup.push(() => source.stop());
    const dbFile = tempDbFile();
    const run = await cli(dbFile, '--from', source.url);
    expect(run.err).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^source: statuspage:p4g3acme$/m);
    expect(run.out).toMatch(/^mode: public$/m);
    expect(line(run.out, 'components')).toEqual({ created: 6, updated: 0, unchanged: 0, skipped: 0 });
    expect(line(run.out, 'incidents')).toEqual({ created: 50, updated: 0, unchanged: 0, skipped: 0 });
    expect(line(run.out, 'maintenances')).toEqual({ created: 3, updated: 0, unchanged: 0, skipped: 0 });
    expect(line(run.out, 'subscribers')).toEqual({ created: 0, updated: 0, unchanged: 0, skipped: 0 });
    expect(run.out).toMatch(/^warning: incident inc0117 .*"escalated"/m);
    const again = await cli(dbFile, '--from', source.url);
    expect(line(again.out, 'incidents')).toEqual({ created: 0, updated: 0, unchanged: 50, skipped: 0 });

    const merged = await cli(dbFile, ...full(source));
    expect(merged.code).toBe(0);
    expect(line(merged.out, 'components')).toEqual({ created: 0, updated: 0, unchanged: 6, skipped: 0 });
    expect(line(merged.out, 'incidents')).toEqual({ created: HISTORY - 50, updated: 0, unchanged: 50, skipped: 1 });
    expect(line(merged.out, 'subscribers')).toMatchObject({ created: 143 });
    const n = await query(dbFile, 'select count(*) as n from incidents');
    expect(Number(n[0].n)).toBe(HISTORY);
  });

  test('a wrong key or address is refused in words, with nothing written', async () => {
    const source = new StatuspageSource(buildFixture(NOW));
    await source.start();
    cleanup.push(() => source.stop());
    const dbFile = tempDbFile();
    const wrong = await cli(dbFile, '--page-id', PAGE_ID, '--api-key', 'nope', '--api-base', source.url);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/^error: .* refused the API key \(401\): check the key/m);
    const neither = await cli(dbFile);
    expect(neither.code).toBe(2);
    expect(neither.err).toMatch(/^error: Say where to import from/m);
    const notAPage = await cli(dbFile, '--from', `${source.url}/nothing-here`);
    expect(notAPage.code).toBe(2);
    expect(notAPage.err).toMatch(/does not exist \(404\)/);
    expect((await counts(dbFile)).components).toBe(0);
  });
});
