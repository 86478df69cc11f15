// Health for load balancers and orchestrators. /healthz: the process answers (liveness).
// /readyz: this instance can serve correct pages: the database answers, every migration is
// applied, the change feed has been read recently (a stale feed means stale pages), and the
// instance is not shutting down. Both bypass the Host check (balancers probe by address) and are
// never cached; they reveal nothing but the state of each check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@libsql/client';
import { pendingMigrations } from '../db/migrate.ts';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

interface Check {
  ok: boolean;
  detail: string;
}

export interface ReadinessSources {
  client: Client;
  /** When the change feed last read the table successfully (epoch ms), 0 before the first read. */
  feedReadAt: () => number;
  feedIntervalMs: number;
  shuttingDown: () => boolean;
  now?: () => number;
}

/** How late the feed may be before the instance is not ready: a few missed polls, at least 5 s. */
export function feedDeadlineMs(intervalMs: number): number {
  return Math.max(5_000, intervalMs * 4);
}

export class Health {
  readonly #sources: ReadinessSources;
  /** Migrations do not change under a running process once all are applied. */
  #migrated = false;

  constructor(sources: ReadinessSources) {
    this.#sources = sources;
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, Check> }> {
    const { client, feedReadAt, feedIntervalMs, shuttingDown } = this.#sources;
    const now = (this.#sources.now ?? Date.now)();
    const checks: Record<string, Check> = {};
    checks.shutdown = shuttingDown()
      ? { ok: false, detail: 'This instance is shutting down; send new requests elsewhere.' }
      : { ok: true, detail: 'Serving.' };
    try {
      await client.execute('SELECT 1');
      checks.database = { ok: true, detail: 'The database answers.' };
      if (!this.#migrated) {
        const pending = await pendingMigrations(client);
        this.#migrated = pending.length === 0;
        if (pending.length) checks.migrations = { ok: false, detail: `Migrations not applied: ${pending.join(', ')}.` };
      }
      checks.migrations ??= { ok: true, detail: 'Every migration is applied.' };
    } catch (error) {
      checks.database = { ok: false, detail: `The database does not answer: ${(error as Error).message}` };
    }
    const readAt = feedReadAt();
    const age = now - readAt;
    checks.changeFeed =
      readAt > 0 && age <= feedDeadlineMs(feedIntervalMs)
        ? { ok: true, detail: `Read ${age} ms ago.` }
        : {
            ok: false,
            detail: readAt ? `Last read ${age} ms ago; pages may be stale.` : 'Not read yet; pages may be stale.',
          };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  /** Answers /healthz and /readyz; false for any other path. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (path !== HEALTH_PATH && path !== READY_PATH) return false;
    const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
    if (path === HEALTH_PATH) {
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok' }));
      return true;
    }
    void this.readiness().then(
      ({ ready, checks }) => {
        res.writeHead(ready ? 200 : 503, headers);
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
      },
      (error: unknown) => {
        res.writeHead(503, headers);
        res.end(JSON.stringify({ status: 'not ready', error: (error as Error).message }));
      },
    );
    return true;
  }
}
