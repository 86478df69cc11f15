// The history feeds, read by a real feed parser (Debian's python3-feedparser).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema/index.ts';
import { closeDb, getDb } from '../src/db/client.ts';
import { saveActionItem } from '../src/domain/rca/commitments.ts';
import { loadReview, requestReview, saveFactor, updateReview } from '../src/domain/rca/reviews.ts';
import {
  approve,
  assignOwner,
  draftHash,
  publish,
  reduceToDraft,
  submitForReview,
} from '../src/domain/rca/workflow.ts';
import { api, createUserWithToken } from './support/api.ts';
import { parseFeed, type ParsedFeed } from './support/parsers.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let token: string;
const host = () => new URL(server.publicUrl).hostname;

beforeAll(async () => {
  server = await startServer();
  token = createUserWithToken(server.dbFile, 'admin').token;
});
afterAll(async () => {
  closeDb();
  await server?.stop();
});

async function parsed(path: string): Promise<ParsedFeed> {
  const response = await fetch(server.url + path);
  expect(response.status).toBe(200);
  const type = response.headers.get('content-type');
  expect(type).toBe(
    path.endsWith('.atom') ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8',
  );
  return parseFeed(Buffer.from(await response.arrayBuffer()));
}

/** Publishes an RCA of `incidentId` through the domain, as two authors would. */
async function publishRca(incidentId: number): Promise<string> {
  process.env.DATABASE_URL = `file:${server.dbFile}`;
  const db = getDb();
  const ids = ['writer', 'raiser'].map((name) => {
    createUserWithToken(
      server.dbFile,
      'author',
      `${name}@example.com`,
      name === 'writer' ? 'Wendy Writer' : 'Rita Raiser',
    );
    return name;
  });
  const [writer, raiser] = await Promise.all(
    ids.map(
      async (n) =>
        (
          await db
            .select()
            .from(schema.users)
            .where(eq(schema.users.email, `${n}@example.com`))
        )[0],
    ),
  );
  const w = { id: writer.id, name: writer.name };
  const review = await requestReview(
    db,
    { title: 'Internal', severity: 'sev2', incidentIds: [incidentId], requestContext: 'Asked by customers' },
    w,
  );
  const view = await loadReview(db, review.id);
  await updateReview(
    db,
    review.id,
    {
      title: 'Internal',
      severity: 'sev2',
      incidentIds: [incidentId],
      detectedBy: 'monitoring',
      startedAt: new Date(view.startedAt!).toISOString(),
      resolvedAt: new Date(view.resolvedAt!).toISOString(),
    },
    w,
  );
  await saveFactor(
    db,
    review.id,
    null,
    { kind: 'trigger', description: 'x', public: true, publicText: 'A bad configuration reached our servers.' },
    w,
  );
  await saveActionItem(
    db,
    review.id,
    null,
    {
      title: 'x',
      owner: 'Wendy',
      priority: 'p1',
      dueAt: '2027-01-01',
      category: 'prevent',
      public: true,
      publicText: 'Configuration is now checked before it ships.',
    },
    w,
  );
  await assignOwner(db, review.id, { ownerId: writer.id }, w);
  await reduceToDraft(db, review.id, w);
  await submitForReview(db, review.id, w);
  await approve(
    db,
    review.id,
    { textHash: draftHash((await loadReview(db, review.id)).draft) },
    { id: raiser.id, name: raiser.name },
  );
  return (await publish(db, review.id, {}, w)).slug;
}

describe('history feeds', () => {
  test('Atom and RSS parse cleanly, one entry per incident with every update inside, newest first', async () => {
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Search is slow',
      impact: 'minor',
      message: 'Searches take **10 s**. <script>alert(1)</script>',
      components: { 1: 'degraded_performance' },
    });
    const id = opened.body.incident.id as number;
    for (const path of ['/history.atom', '/history.rss']) {
      const feed = await parsed(path);
      expect(feed.bozo, feed.error).toBe(false);
      expect(feed.version).toBe(path.endsWith('.atom') ? 'atom10' : 'rss20');
      expect(feed.title).toBe('Example Cloud status history');
      expect(feed.entries[0]).toMatchObject({
        id: `tag:${host()},2026:incident-${id}`,
        title: 'Search is slow (Investigating)',
        link: expect.stringMatching(new RegExp(`/incidents/${id}$`)),
      });
      expect(feed.entries[0].html).toContain('<strong>10 s</strong>');
      expect(feed.entries[0].html).not.toContain('<script');
      // the demo's four incidents follow, newest first
      expect(feed.entries.map((e) => e.title)).toEqual([
        'Search is slow (Investigating)',
        'Slow uploads to file storage',
        'Delayed email delivery',
        'Database (EU) unavailable',
        'Elevated error rates on the API',
      ]);
      const demo = feed.entries.find((e) => e.title === 'Delayed email delivery')!;
      const order = ['Resolved', 'Monitoring', 'Investigating'].map((s) => demo.html.indexOf(`<h3>${s}`));
      expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true);
    }
  });

  test('an update changes the same entry (stable id); a published post-mortem gets its own entry and fills the incident’s postmortem_* fields', async () => {
    const before = await parsed('/history.atom');
    const first = before.entries[0];
    const id = Number(/incident-(\d+)$/.exec(first.id)![1]);
    await api(server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'resolved',
      message: 'Search is fast again.',
      components: { 1: 'operational' },
    });
    const slug = await publishRca(id);
    // published from this process: the server hears of it through the shared change feed
    let after = await parsed('/history.atom');
    await expect
      .poll(
        async () => (after = await parsed('/history.atom')).entries.some((e) => e.id.endsWith(`postmortem-${slug}`)),
        { timeout: 3000 },
      )
      .toBe(true);
    const same = after.entries.find((e) => e.id === first.id)!;
    expect(same.title).toBe('Search is slow');
    expect(Date.parse(same.updated)).toBeGreaterThan(Date.parse(first.updated));
    expect(same.html.indexOf('Search is fast again.')).toBeLessThan(same.html.indexOf('Searches take'));
    const rca = after.entries.find((e) => e.id === `tag:${host()},2026:postmortem-${slug}`)!;
    expect(rca).toMatchObject({ title: 'Post-incident report: Search is slow', tags: ['postmortem'] });
    expect(rca.html).toContain('Commitments: 0 of 1 done.');
    const rss = await parsed('/history.rss');
    expect(rss.entries[0].id).toBe(`tag:${host()},2026:postmortem-${slug}`);
    // Statuspage's incident carries its post-mortem: the public summary, linked to the full report.
    const { incidents } = await (await fetch(`${server.url}/api/v2/incidents.json`)).json();
    const incident = incidents.find((i: { id: string }) => i.id === String(id));
    expect(incident.postmortem_body).toContain(`(${server.publicUrl}/postmortems/${slug})`);
    expect(incident.postmortem_notified_subscribers).toBe(true);
    expect(Date.parse(incident.postmortem_published_at)).toBeGreaterThan(Date.parse(incident.resolved_at));
    expect(incident.postmortem_body_last_updated_at).toBe(incident.postmortem_published_at);
  });

  test('the feeds say their language, the Atom id is a tag of PUBLIC_URL’s host, entries go by last change', async () => {
    for (const path of ['/history.atom', '/history.rss']) expect((await parsed(path)).language).toBe('en');
    const atom = await parsed('/history.atom');
    expect(atom.id).toBe(`tag:${host()},2026:history`);
    // Fetched under another name for the same server, the feed is the same feed.
    const other = await fetch(server.url.replace('127.0.0.1', 'localhost') + '/history.atom');
    expect(other.status).toBe(200);
    expect(parseFeed(Buffer.from(await other.arrayBuffer())).id).toBe(atom.id);
    const updated = atom.entries.map((e) => Date.parse(e.updated));
    expect(updated).toEqual([...updated].sort((a, b) => b - a));
  });

  test('pages advertise the feeds', async () => {
    const html = await (await fetch(server.url + '/')).text();
    expect(html).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Incident history (Atom)" href="/history.atom">',
    );
    expect(html).toContain(
      '<link rel="alternate" type="application/rss+xml" title="Incident history (RSS)" href="/history.rss">',
    );
  });
});
