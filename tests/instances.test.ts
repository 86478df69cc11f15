// Two server processes on one database: what is posted through one reaches viewers of the other.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';

let a: TestServer;
let b: TestServer;
let token: string;

beforeAll(async () => {
  const dbFile = tempDbFile();
  a = await startServer({ dbFile });
  b = await startServer({ dbFile });
  token = createUserWithToken(dbFile).token;
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});


test('an update posted through one instance reaches an SSE viewer of the other within a second', async () => {
  const controller = new AbortController();
  const response = await fetch(b.url + '/events', { signal: controller.signal });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const waitFor = async (pattern: RegExp) => {
    while (!pattern.test(buffer)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value);
    }
  };
  await waitFor(/event: hello/);
  // Warm B's cache so a stale page would show if invalidation did not cross instances.
  expect(await (await fetch(b.url + '/')).text()).not.toContain('Cross-instance check');

  const postedAt = Date.now();
  const created = await api(a.url, token, 'POST', '/api/v1/incidents', { title: 'Cross-instance check', impact: 'minor', message: 'Seen on B?' });
  expect(created.status).toBe(201);
  await waitFor(/event: change\ndata: .*incident:\d+/);
  const elapsed = Date.now() - postedAt;
  controller.abort();
  expect(elapsed).toBeLessThan(1000);
  expect(buffer).toContain(`incident:${created.body.incident.id}`);
  expect(await (await fetch(b.url + '/')).text()).toContain('Cross-instance check');
});
