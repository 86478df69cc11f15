// CANDOR_PROCESSES=2: two serving processes share one port. A write through either reaches live
// readers connected to both at once (the primary relays "read the feed now"), a process that dies
// is replaced, and stopping the primary stops them all.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents } from './support/events.ts';
import { startServer, type TestServer } from './support/server.ts';

function children(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return [];
  }
}

async function until<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('several processes on one port', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    // Processes read the shared feed only once a minute: only the relay can make them quick.
    server = await startServer({ env: { CANDOR_PROCESSES: '2', CANDOR_POLL_MS: '60000', CANDOR_SEED: '0' } });
    token = createUserWithToken(server.dbFile, 'support').token;
  });
  afterAll(() => server?.stop());

  test('the primary runs two processes and prints one setup link', async () => {
    expect(children(server.pid)).toHaveLength(2);
    expect(server.output().match(/create the first admin/g)).toHaveLength(1);
    expect(server.messages()).toContain('2 processes serve this port');
  });

  test('a write through one process reaches readers of both within a second', async () => {
    // Connections are handed to the processes in turn: eight readers land on both.
    const streams = await Promise.all(Array.from({ length: 8 }, () => openEvents(server.url)));
    await until(
      'every hello',
      () => streams.filter((s) => s.text.includes('event: hello')).length,
      (n) => n === 8,
    );
    const started = Date.now();
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Relayed',
      impact: 'minor',
      message: 'Checking.',
    });
    expect(opened.status).toBe(201);
    const subject = `incident:${opened.body.incident.id}`;
    await until(
      'the change on every stream',
      () => streams.filter((s) => s.text.includes(subject)).length,
      (n) => n === 8,
      5000,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    for (const stream of streams) stream.close();
  });

  test('a process that dies is replaced and the port keeps answering', async () => {
    const [first] = children(server.pid);
    process.kill(first, 'SIGKILL');
    await until(
      'a replacement',
      () => children(server.pid),
      (pids) => pids.length === 2 && !pids.includes(first),
    );
    expect(server.output()).toMatch(/process \d+ ended \(SIGKILL\); starting another/);
    for (let i = 0; i < 6; i++) expect((await fetch(server.url + '/api/v2/status.json')).status).toBe(200);
  });

  test('stopping the primary stops every process', async () => {
    const pids = children(server.pid);
    await server.stop();
    const alive = () =>
      pids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    expect(await until('every process to end', alive, (left) => left.length === 0)).toEqual([]);
  });
});
