// The Statuspage import from the admin (admins only): started from the form, it runs in the
// background while the page reloads itself showing progress, keeps the summary on the page,
// is audited under the admin's name (never with the key), and refuses private addresses in words.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient } from '@libsql/client';
import { adminSession } from './support/admin-session.ts';
import { createUserWithToken } from './support/api.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { API_KEY, buildFixture, HISTORY, PAGE_ID, StatuspageSource } from './support/statuspage-source.ts';

let server: TestServer;
let source: StatuspageSource;
let dbFile: string;
let admin: { email: string; password: string };
let support: { email: string; password: string };

beforeAll(async () => {
  source = new StatuspageSource(buildFixture(Date.now()), {
    rateLimitOnce: [`/v1/pages/${PAGE_ID}/incidents?page=2&limit=100`],
    retryAfter: '1',
  });
  await source.start();
  dbFile = tempDbFile();
  // The test's source listens on loopback, which startServer allows (CANDOR_OUTBOUND_ALLOW).
  server = await startServer({ dbFile, env: { CANDOR_SEED: '0' } });
  admin = createUserWithToken(dbFile, 'admin', 'root@example.com', 'Root');
  support = createUserWithToken(dbFile, 'support', 'desk@example.com', 'Desk');
});
afterAll(async () => {
  await server?.stop();
  await source?.stop();
});

async function query(sql: string) {
  const client = createClient({ url: `file:${dbFile}` });
  try {
    return (await client.execute(sql)).rows;
  } finally {
    client.close();
  }
}

async function waitForRun(session: Awaited<ReturnType<typeof adminSession>>, id: string) {
  const deadline = Date.now() + 30_000;
  const progress: string[] = [];
  for (;;) {
    const page = await session.get('/admin/import');
    const state = new RegExp(`data-run="${id}" data-state="(\\w+)"`).exec(page.html)?.[1];
    if (state && state !== 'running') return { state, html: page.html, progress };
    const shown = /<p role="status" data-progress>([\s\S]*?)<\/p>/.exec(page.html)?.[1];
    if (shown)
      progress.push(
        shown
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    if (Date.now() > deadline) throw new Error(`run ${id} still ${state} after 30 s`);
    // While it runs the page asks the browser to reload itself.
    expect(page.html).toContain('<meta http-equiv="refresh" content="2"');
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

describe('import from the admin', () => {
  test('support staff may not import', async () => {
    const desk = await adminSession(server.url, support.email, support.password);
    expect((await desk.get('/admin/import')).status).toBe(403);
    const post = await desk.post('/admin/import', [
      ['mode', 'public'],
      ['url', source.url],
    ]);
    expect(post.status).toBe(403);
  });

  test('a private address is refused in words and nothing starts', async () => {
    const root = await adminSession(server.url, admin.email, admin.password);
    const refused = await root.post('/admin/import', [
      ['mode', 'public'],
      ['url', 'http://169.254.169.254/'],
    ]);
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/URL cannot be used: 169\.254\.169\.254 is .*Candor does not call those/);
    const missing = await root.post('/admin/import', [
      ['mode', 'full'],
      ['pageId', PAGE_ID],
      ['apiKey', ''],
    ]);
    expect(missing.status).toBe(400);
    expect(missing.html).toMatch(/API key is required/);
    expect(await query('select count(*) as n from import_runs')).toEqual([expect.objectContaining({ n: 0 })]);
  });

  test('a full import runs in the background with progress, keeps its summary and is audited without the key', async () => {
    const root = await adminSession(server.url, admin.email, admin.password);
    const started = await root.post('/admin/import', [
      ['mode', 'full'],
      ['pageId', PAGE_ID],
      ['apiKey', API_KEY],
      ['apiBase', source.url],
    ]);
    expect(started.status).toBe(303);
    const id = /run=(\d+)/.exec(started.location ?? '')![1];
    // Another while it runs is refused (the 429 holds it up for a second).
    const second = await root.post('/admin/import', [
      ['mode', 'public'],
      ['url', source.url],
    ]);
    expect(second.status).toBe(409);
    expect(second.html).toMatch(/An import is already running/);

    const { state, html, progress } = await waitForRun(root, id);
    expect(state).toBe('done');
    // While it ran (held up a second by the 429), the page said how far it had got.
    expect(progress[0]).toMatch(/^(Reading|Writing) /);
    const summary = new RegExp(`data-run="${id}"[\\s\\S]*?</section>`).exec(html)![0];
    const row = (kind: string) =>
      new RegExp(
        `data-kind="${kind}"[^>]*>\\s*<th[^>]*>\\w+</th>\\s*<td>(\\d+)</td>\\s*<td>(\\d+)</td>\\s*<td>(\\d+)</td>\\s*<td>(\\d+)</td>`,
      )
        .exec(summary)!
        .slice(1)
        .map(Number);
    expect(row('incident')).toEqual([HISTORY, 0, 0, 1]);
    expect(row('subscriber')).toEqual([143, 0, 0, 7]);
    expect(summary).toMatch(/subscriber sub-carol: never confirmed at Statuspage/);
    // Kept summaries name subscribers by their Statuspage id, never by address.
    expect(summary).not.toContain('carol@example.com');
    expect(summary).not.toContain(API_KEY);
    expect(html).not.toContain('<meta http-equiv="refresh"');

    const audit = await query(
      "select action, actor_name, after from audit_log where action in ('import.start', 'import.statuspage') order by id",
    );
    expect(audit.map((a) => [a.action, a.actor_name])).toEqual([
      ['import.start', 'Root'],
      ['import.statuspage', 'Root'],
    ]);
    expect(audit.map((a) => String(a.after)).join()).not.toContain(API_KEY);
    const runs = await query('select * from import_runs');
    expect(JSON.stringify(runs)).not.toContain(API_KEY);
    expect(Number((await query('select count(*) as n from notifications'))[0].n)).toBe(0);

    // The public page shows the imported history at once (the change feed told the caches).
    const history = await (await fetch(`${server.url}/api/v2/incidents.json`)).json();
    expect(history.incidents).toHaveLength(50);
  });
});
