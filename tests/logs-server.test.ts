// The log is JSON lines a collector can parse; one request id ties together the request's log
// line, the audit entry it wrote, the message it queued and the worker's line about sending it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUserWithToken } from './support/api.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { addConfirmedSubscribers, mailEnv, waitFor } from './support/subscribers.ts';
import { queryRows } from './support/db.ts';

let server: TestServer;
let mock: ResendMock;
let dbFile: string;
let token: string;

beforeAll(async () => {
  mock = new ResendMock();
  await mock.start();
  dbFile = tempDbFile();
  server = await startServer({ dbFile, env: mailEnv(mock, { CANDOR_SEED: '0' }) });
  token = createUserWithToken(dbFile, 'support').token;
  await addConfirmedSubscribers(dbFile, 3);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await mock?.stop();
});

interface LogLine {
  level: number;
  time: string;
  msg: string;
  reqId?: string;
  reqIds?: string[];
  path?: string;
  status?: number;
}

function logLines(): LogLine[] {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

const rows = (sql: string) => queryRows(dbFile, sql);

describe('structured logs', () => {
  test('every line is JSON with a level, an ISO time and a message', () => {
    const lines = server.output().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const parsed = JSON.parse(line) as LogLine;
      expect(typeof parsed.level).toBe('number');
      expect(new Date(parsed.time).toISOString()).toBe(parsed.time);
      expect(typeof parsed.msg).toBe('string');
    }
  });

  test('a request id given by the proxy reaches the log, the audit log, the outbox and the worker', async () => {
    const reqId = 'edge-7f3a9c21-trace';
    const answer = await fetch(`${server.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': reqId },
      body: JSON.stringify({ title: 'Traced', impact: 'minor', message: 'Following one id.' }),
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-request-id')).toBe(reqId);
    const line = await waitFor('the request line', () =>
      logLines().find((l) => l.msg === 'request' && l.reqId === reqId),
    );
    expect(line).toMatchObject({ path: '/api/v1/incidents', status: 201, level: 30 });
    const audit = await rows(`select request_id from audit_log where action = 'incident.create'`);
    expect(audit.map((r) => r.request_id)).toEqual([reqId]);
    const queued = await rows(`select request_id from notifications where kind = 'incident.created'`);
    expect(queued.map((r) => r.request_id)).toEqual([reqId]);
    const sent = await waitFor('the worker line', () =>
      logLines().find((l) => l.msg === 'outbox batch' && l.reqIds?.includes(reqId)),
    );
    expect(sent).toMatchObject({ outcome: 'sent', deliveries: 3 });
  });

  test('without one a fresh id is made; a malformed one is not trusted; secret links are cut from paths', async () => {
    const made = await fetch(`${server.url}/admin/login`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await fetch(`${server.url}/admin/login`, { headers: { 'x-request-id': 'bad id\twith "quotes"' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const secret = 'a'.repeat(40);
    await fetch(`${server.url}/subscription/${secret}`);
    await fetch(`${server.url}/subscription/${secret}/unsubscribe`);
    await fetch(`${server.url}/subscribe/confirm/${secret}`);
    await waitFor('the personal request lines', () => {
      const paths = logLines().map((l) => l.path);
      return paths.filter((p) => p === '/subscription/…').length >= 2 && paths.includes('/subscribe/confirm/…');
    });
    expect(server.output()).not.toContain(secret);
  });
});

test('LOG_LEVEL: warn leaves out request lines; a wrong value stops the start with a message', async () => {
  const quiet = await startServer({ env: { CANDOR_SEED: '0', LOG_LEVEL: 'warn' } });
  await fetch(`${quiet.url}/admin/login`);
  await quiet.stop();
  expect(quiet.output()).not.toContain('"msg":"request"');
  await expect(startServer({ env: { LOG_LEVEL: 'loud' } })).rejects.toThrow(/LOG_LEVEL must be one of trace, debug/);
}, 60_000);
