// Candor's HTTP server: a thin node:http layer in front of Astro's handler. It serves the public
// read path (pages, later feeds and JSON) from its cache, live updates over SSE and the client
// build from memory; admin pages, forms and the API go straight to Astro.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDb, getHandle } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { issueSetupToken } from '../domain/auth/users.ts';
import { SITE } from '../domain/site.ts';
import { seedOnFirstStart } from '../seed/first-start.ts';
import { CapturingResponse } from './capture.ts';
import { ChangeFeed } from './change-feed.ts';
import { ResendProvider } from './email-provider.ts';
import { LiveHub } from './live.ts';
import { outboxConfig } from './outbox-config.ts';
import { OutboxWorker } from './outbox-worker.ts';
import { isPublicPath, PageCache } from './page-cache.ts';
import { MaintenanceClock } from './maintenance-clock.ts';
import { StaticFiles } from './static-files.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(PROJECT_ROOT, 'dist/server/entry.mjs');

type AstroHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<void>;

export interface CandorServer {
  url: string;
  setupLink: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  log?: (line: string) => void;
}

export async function startCandor(options: StartOptions = {}): Promise<CandorServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!existsSync(ENTRY)) throw new Error('Candor is not built yet: run `npm start` (it builds) or `npm run build`.');

  const migration = await migrateDatabase();
  if (migration.applied.length) {
    log(`[candor] applied migrations: ${migration.applied.join(', ')}${migration.backup ? ` (backup: ${migration.backup})` : ''}`);
  }
  const db = getDb();
  if (await seedOnFirstStart(db)) log('[candor] seeded the demo status page (set CANDOR_SEED=0 to start empty)');

  const { handler } = (await import(pathToFileURL(ENTRY).href)) as { handler: AstroHandler };
  const statics = new StaticFiles(join(PROJECT_ROOT, 'dist/client'));
  const cache = new PageCache();
  const live = new LiveHub();
  const feed = new ChangeFeed(getHandle().client, Number(process.env.CANDOR_POLL_MS) || 250);
  let worker: OutboxWorker | null = null;
  let clock: MaintenanceClock | null = null;
  feed.on('change', (events) => {
    cache.invalidate();
    live.broadcast(events);
    worker?.wake();
  });
  await feed.start();

  const render = async (req: IncomingMessage) => {
    const captured = new CapturingResponse(req);
    await handler(req, captured as unknown as ServerResponse);
    return captured.done;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    if (pathname === '/events' && req.method === 'GET') return live.connect(req, res, feed.lastId);
    if (statics.serve(req, res, pathname)) return;
    if (isPublicPath(req.method, pathname)) return cache.serve(req, res, () => render(req));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // A write through this instance: send what it queued, and for staff writes drop the cache
      // at once (subscriber forms change no public page, so they must not empty it).
      const staffWrite = pathname.startsWith('/admin') || pathname.startsWith('/api/');
      res.once('finish', () => {
        worker?.wake();
        if (!staffWrite) return;
        cache.invalidate();
        void feed.pollSoon();
      });
    }
    await handler(req, res);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[candor] request failed:', req.method, req.url, error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Candor could not answer this request; the error is in the server log.');
    });
  });
  server.keepAliveTimeout = 65_000;

  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 4321);
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = (process.env.PUBLIC_URL ?? `http://${host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host}:${actualPort}`).replace(/\/$/, '');

  const config = outboxConfig();
  if (config.enabled) {
    worker = new OutboxWorker({
      db,
      ctx: { siteName: SITE.name, publicUrl: url },
      config,
      email: config.email ? new ResendProvider(config.email.apiKey, config.email.from) : null,
      log,
    });
    worker.start();
    if (config.emailOffReason) log(`[candor] email: ${config.emailOffReason}`);
    clock = new MaintenanceClock(db, Number(process.env.CANDOR_MAINTENANCE_TICK_MS) || 15_000, () => worker?.wake(), log);
    clock.start();
  }

  const setupToken = await issueSetupToken(db);
  const setupLink = setupToken ? `${url}/admin/setup?token=${setupToken}` : null;
  log(`[candor] status page: ${url}/`);
  log(setupLink ? `[candor] create the first admin (one-time link, valid 24 h): ${setupLink}` : `[candor] admin: ${url}/admin`);

  return {
    url,
    setupLink,
    close: async () => {
      await clock?.stop();
      await worker?.stop();
      feed.stop();
      live.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Runs until SIGINT or SIGTERM, then closes connections and exits. */
export async function serveUntilStopped(): Promise<void> {
  const running = await startCandor();
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.main) await serveUntilStopped();
