// Backups of the running database: a copy taken while updates are being written is consistent and
// holds every update committed before it began; restore refuses anything that is not a sound
// Candor database and leaves the current one untouched; scheduled backups keep the newest few.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, test } from 'vitest';
import type { Clock } from '../src/server/clock.ts';
import { startScheduledBackups } from '../src/server/scheduled-backups.ts';
import { api, createUserWithToken } from './support/api.ts';
import { freshDb } from './support/db.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';

const ROOT = resolve(import.meta.dirname, '..');
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

function cli(dbFile: string, ...args: string[]) {
  return new Promise<{ code: number; out: string }>((ok) => {
    execFile(
      process.execPath,
      ['src/cli/candor.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbFile.includes('://') ? dbFile : `file:${dbFile}` } },
      (error, stdout, stderr) => ok({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

async function query(file: string, sql: string) {
  const client = createClient({ url: `file:${file}` });
  try {
    return (await client.execute(sql)).rows;
  } finally {
    client.close();
  }
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const scratch = () => mkdtempSync(join(tmpdir(), 'candor-backup-'));

describe('backup and restore', () => {
  test('a backup taken while updates are written passes the integrity check and holds every update committed before it', async () => {
    const dbFile = tempDbFile();
    const s = await startServer({ dbFile, env: { CANDOR_WORKER: '0' } });
    servers.push(s);
    const { token } = createUserWithToken(dbFile, 'support');
    const opened = await api(s.url, token, 'POST', '/api/v1/incidents', {
      title: 'Backup under load',
      impact: 'minor',
      message: 'Update 0.',
    });
    expect(opened.status).toBe(201);
    const incidentId = opened.body.incident.id as number;

    const committed: { text: string; at: number }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 1; writing && i < 2000; i++) {
        const text = `Update ${i}.`;
        const answer = await api(s.url, token, 'POST', `/api/v1/incidents/${incidentId}/updates`, {
          status: 'investigating',
          message: text,
        });
        expect(answer.status, JSON.stringify(answer.body)).toBe(201);
        committed.push({ text, at: Date.now() });
      }
    })();
    while (committed.length < 20) await new Promise((ok) => setTimeout(ok, 20));

    const dir = scratch();
    const copy = join(dir, 'copy.db');
    const began = Date.now();
    const backup = await cli(dbFile, 'backup', copy);
    // Keep writing a little after the copy, then stop.
    const copied = committed.length;
    while (committed.length < copied + 5) await new Promise((ok) => setTimeout(ok, 20));
    writing = false;
    await writer;
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(/^backup: .*copy\.db\nbytes: \d+/m);

    expect(await query(copy, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const inCopy = new Set(
      (await query(copy, `select body from incident_updates where incident_id = ${incidentId}`)).map((r) =>
        String(r.body),
      ),
    );
    const before = committed.filter((c) => c.at < began);
    expect(before.length).toBeGreaterThanOrEqual(20);
    expect(before.filter((c) => !inCopy.has(c.text))).toEqual([]);
    // Written while the server kept going: the live database holds more than the copy.
    const live = await query(dbFile, `select count(*) as n from incident_updates where incident_id = ${incidentId}`);
    expect(Number(live[0].n)).toBeGreaterThan(inCopy.size);

    // Restored into a new place, the copy serves: the incident and its updates are there.
    const restoredFile = join(scratch(), 'candor.db');
    const restored = await cli(restoredFile, 'restore', copy);
    expect(restored.code, restored.out).toBe(0);
    expect(await query(restoredFile, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const again = await startServer({ dbFile: restoredFile, env: { CANDOR_WORKER: '0' } });
    servers.push(again);
    const page = await fetch(`${again.url}/api/v2/incidents.json`);
    const incidents = (await page.json()) as { incidents: { name: string; incident_updates: unknown[] }[] };
    const found = incidents.incidents.find((i) => i.name === 'Backup under load');
    expect(found?.incident_updates.length).toBe(inCopy.size);
  }, 90_000);

  test('restore refuses garbage, a damaged copy and a database that is not Candor’s, and changes nothing', async () => {
    const { file: live } = await freshDb();
    // A whole file (a fresh database keeps most of itself in its write-ahead log).
    const source = join(scratch(), 'source.db');
    expect((await cli(live, 'backup', source)).code).toBe(0);
    const target = join(scratch(), 'candor.db');
    copyFileSync(source, target);
    const untouched = digest(target);
    const dir = scratch();

    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not a database at all, just some words');
    const damaged = join(dir, 'damaged.db');
    copyFileSync(source, damaged);
    // Garbage over a few pages in the middle, as a failing disk or an interrupted copy leaves it.
    const bytes = readFileSync(damaged);
    expect(bytes.length).toBeGreaterThan(4096 * 8);
    bytes.fill(0xa5, Math.floor(bytes.length / 4096 / 2) * 4096, Math.floor(bytes.length / 4096 / 2) * 4096 + 4096 * 3);
    writeFileSync(damaged, bytes);
    const foreign = join(dir, 'foreign.db');
    const other = createClient({ url: `file:${foreign}` });
    await other.execute('create table notes (id integer primary key, body text)');
    other.close();

    for (const [file, reason] of [
      [garbage, /not a database SQLite can read|fails SQLite's integrity check/],
      [damaged, /is damaged|fails SQLite's integrity check/],
      [foreign, /not a Candor database/],
      [join(dir, 'missing.db'), /There is no file/],
    ] as const) {
      const answer = await cli(target, 'restore', file);
      expect(answer.code, answer.out).toBe(2);
      expect(answer.out).toMatch(/^error: Nothing was changed: /m);
      expect(answer.out).toMatch(reason);
      expect(digest(target)).toBe(untouched);
    }
    expect(existsSync(join(target, '..', 'backups'))).toBe(false);
  });

  test('backup refuses to overwrite a file and says how to back up a libSQL server', async () => {
    const { file } = await freshDb();
    const existing = join(scratch(), 'taken.db');
    writeFileSync(existing, 'an earlier backup');
    const overwrite = await cli(file, 'backup', existing);
    expect(overwrite.code).toBe(2);
    expect(overwrite.out).toMatch(/already exists; name a new file/);
    expect(readFileSync(existing, 'utf8')).toBe('an earlier backup');
    const remote = await cli('http://127.0.0.1:1', 'backup', join(scratch(), 'x.db'));
    expect(remote.code).toBe(2);
    expect(remote.out).toMatch(/libSQL server.*back up the server itself/);
  });
});

describe('scheduled backups', () => {
  test('one copy per interval, the newest few kept, a failure logged and retried next turn', async () => {
    const { file } = await freshDb();
    process.env.DATABASE_URL = `file:${file}`;
    const dir = scratch();
    writeFileSync(join(dir, 'notes.txt'), 'not ours: never pruned');
    let now = Date.parse('2026-12-01T00:00:00Z');
    const timers: { at: number; fire: () => void }[] = [];
    const clock: Clock = {
      now: () => now,
      after: (ms, fire) => {
        const timer = { at: now + ms, fire };
        timers.push(timer);
        return () => timers.splice(timers.indexOf(timer), 1);
      },
    };
    const lines: string[] = [];
    const stop = startScheduledBackups({ dir, everyMs: 3_600_000, keep: 2 }, (l) => lines.push(l), clock);
    for (let turn = 0; turn < 3; turn++) {
      expect(timers).toHaveLength(1);
      const timer = timers.shift()!;
      now = timer.at;
      timer.fire();
      while (timers.length === 0) await new Promise((ok) => setTimeout(ok, 5));
    }
    await stop();
    expect(readdirSync(dir).sort()).toEqual(['candor-20261201T020000Z.db', 'candor-20261201T030000Z.db', 'notes.txt']);
    expect(lines.filter((l) => l.startsWith('[candor] backup: '))).toHaveLength(3);
  });
});
