// Readiness says "not ready" for each reason a balancer should stop sending an instance traffic,
// and names the reason; the server test (handover-server.test.ts) checks the ready case end to end.
import { createClient } from '@libsql/client';
import { expect, test } from 'vitest';
import { Health, feedDeadlineMs } from '../src/server/health.ts';
import { freshDb } from './support/db.ts';
import { tempDbFile } from './support/server.ts';

const NOW = 1_800_000_000_000;

test('ready: database answers, migrations applied, feed read within its deadline, not stopping', async () => {
  const { file } = await freshDb();
  const client = createClient({ url: `file:${file}` });
  const health = new Health({
    client,
    feedReadAt: () => NOW - 100,
    feedIntervalMs: 250,
    shuttingDown: () => false,
    now: () => NOW,
  });
  expect((await health.readiness()).ready).toBe(true);
  client.close();
});

test('not ready: migrations pending, a stale change feed, shutting down, and each says why', async () => {
  const empty = createClient({ url: `file:${tempDbFile()}` });
  let stopping = false;
  let readAt = NOW - feedDeadlineMs(250) - 1;
  const health = new Health({
    client: empty,
    feedReadAt: () => readAt,
    feedIntervalMs: 250,
    shuttingDown: () => stopping,
    now: () => NOW,
  });
  let result = await health.readiness();
  expect(result.ready).toBe(false);
  expect(result.checks.database.ok).toBe(true);
  expect(result.checks.migrations).toMatchObject({
    ok: false,
    detail: expect.stringMatching(/^Migrations not applied: 0000_/),
  });
  expect(result.checks.changeFeed).toMatchObject({ ok: false, detail: expect.stringMatching(/pages may be stale/) });
  readAt = NOW - 10;
  stopping = true;
  result = await health.readiness();
  expect(result.checks.changeFeed.ok).toBe(true);
  expect(result.checks.shutdown).toMatchObject({ ok: false, detail: expect.stringMatching(/shutting down/) });
  empty.close();
  // A database that does not answer.
  const closed = createClient({ url: `file:${tempDbFile()}` });
  closed.close();
  const gone = await new Health({
    client: closed,
    feedReadAt: () => NOW,
    feedIntervalMs: 250,
    shuttingDown: () => false,
    now: () => NOW,
  }).readiness();
  expect(gone.checks.database).toMatchObject({ ok: false, detail: expect.stringMatching(/does not answer/) });
});
