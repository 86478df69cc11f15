// The live fragments over HTTP: what /events names, which URLs move on which change, the version
// document's ETag, unknown versions, and a version named by one instance read from another.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents } from './support/events.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';

interface LiveState {
  v: number;
  status: string;
  uptime: string;
}

async function version(server: TestServer): Promise<LiveState> {
  return (await fetch(server.url + '/live/version.json')).json() as Promise<LiveState>;
}

/** Waits until the version document shows a change newer than `than`. */
async function nextVersion(server: TestServer, than: number): Promise<LiveState> {
  for (let i = 0; i < 100; i++) {
    const state = await version(server);
    if (state.v > than) return state;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`no change after version ${than}`);
}

describe('live fragments', () => {
  let server: TestServer;
  let second: TestServer;
  let token: string;
  let componentId: number;
  const dbFile = tempDbFile();

  beforeAll(async () => {
    server = await startServer({ dbFile, env: { CANDOR_SEED: '0' } });
    // Reads the feed only once a minute: it learns of changes from the versions it is asked for.
    second = await startServer({ dbFile, env: { CANDOR_POLL_MS: '60000', CANDOR_WORKER: '0' } });
    token = createUserWithToken(dbFile, 'admin').token;
    componentId = (await api(server.url, token, 'POST', '/api/v1/components', { name: 'API' })).body.component.id;
  });
  afterAll(async () => {
    await second?.stop();
    await server?.stop();
  });

  test('the stream names the current fragments; a change moves only the URLs of what changed', async () => {
    // The component made in beforeAll may still be on its way to readers (the version document
    // moves before the stream tells): open the stream again until both name the same fragments.
    const open = async () => {
      const stream = await openEvents(server.url);
      return { stream, hello: JSON.parse((await stream.until(/event: hello\ndata: (.*)\n/))[1]) as LiveState };
    };
    let { stream: events, hello } = await open();
    for (let tries = 0; tries < 20 && !isDeepStrictEqual(hello, await version(server)); tries++) {
      events.close();
      await new Promise((ok) => setTimeout(ok, 50));
      ({ stream: events, hello } = await open());
    }
    expect(hello).toEqual(await version(server));

    // No component touched: the uptime bars keep their URL.
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Slow logins',
      impact: 'minor',
      message: 'Looking into it.',
    });
    const first = JSON.parse((await events.until(/event: change\ndata: (.*)\n/))[1]) as LiveState & {
      subjects: string[];
    };
    expect(first.v).toBeGreaterThan(hello.v);
    expect(first.subjects).toEqual([`incident:${opened.body.incident.id}`]);
    expect(first.status).toBe(`/live/${first.v}/status`);
    expect(first.uptime).toBe(hello.uptime);
    const fragment = await fetch(server.url + first.status);
    expect(fragment.status).toBe(200);
    expect(fragment.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await fragment.text()).toContain('Looking into it.');

    // A component's state: both move.
    events.clear();
    await api(server.url, token, 'PATCH', `/api/v1/components/${componentId}`, { status: 'major_outage' });
    const second = JSON.parse((await events.until(/event: change\ndata: (.*)\n/))[1]) as LiveState;
    expect(second.status).toBe(`/live/${second.v}/status`);
    expect(second.uptime).toBe(`/live/${second.v}/uptime`);
    expect(await (await fetch(server.url + second.uptime)).text()).toContain('Major outage');
    events.close();
  });

  test('the version document answers 304 until something changes', async () => {
    const first = await fetch(server.url + '/live/version.json');
    const etag = first.headers.get('etag')!;
    const state = (await first.json()) as LiveState;
    expect(first.headers.get('cache-control')).toContain('must-revalidate');
    const again = await fetch(server.url + '/live/version.json', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    await api(server.url, token, 'PATCH', `/api/v1/components/${componentId}`, { status: 'operational' });
    const moved = await nextVersion(server, state.v);
    const changed = await fetch(server.url + '/live/version.json', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual(moved);
  });

  test('unknown and future versions are 404 and never cached; junk under /live/ is 404', async () => {
    const { v } = await version(server);
    for (const path of [`/live/${v + 1000}/status`, '/live/abc/status', '/live/1/other', '/live/01/status', '/live/']) {
      const response = await fetch(server.url + path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  test('an instance asked for a version it has not read yet catches up with the feed first', async () => {
    // The second instance rendered its fragments at start; it has not polled since.
    await fetch(second.url + '/live/version.json');
    const before = await version(server);
    await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Queue backlog',
      impact: 'major',
      message: 'Jobs are queued.',
    });
    const named = await nextVersion(server, before.v);
    expect((await version(second)).v).toBeLessThan(named.v);
    const answer = await fetch(second.url + named.status);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('Jobs are queued.');
  });
});
