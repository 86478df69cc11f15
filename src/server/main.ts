// Candor's HTTP server: a thin node:http layer in front of Astro's handler. It serves the public
// read path (pages, later feeds and JSON) from its cache, live updates over SSE and the client
// build from memory; admin pages, forms and the API go straight to Astro.
import { randomUUID } from 'node:crypto';
import http, { IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDb, getHandle } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { issueSetupToken } from '../domain/auth/users.ts';
import { publicUrl, publicUrlIsHttps, publicUrlProblem } from '../domain/public-url.ts';
import type { Locale } from '../domain/locales.ts';
import { LANG_PARAM, localeFromParam } from '../i18n/locale-choice.ts';
import { setSiteDefaultLocale, siteDefaultLocale } from '../i18n/site-locale.ts';
import { BRAND_PATH_PREFIX } from '../domain/brand-assets.ts';
import { loadSiteSettings } from '../domain/site-settings.ts';
import { seedOnFirstStart } from '../seed/first-start.ts';
import { seedSettings } from '../seed/settings.ts';
import { catchUpUptimeRollups } from '../domain/uptime-rollups.ts';
import { isApiPath, isPersonalPath, isPublicPath, isStaffWritePath, LIVE_PATH, routedPath } from '../web/paths.ts';
import { AllowedHosts } from './allowed-hosts.ts';
import { BodyTooLargeError, bodyLimits, limitFor, readBody } from './body-limit.ts';
import { canonicalRequest } from './cache-key.ts';
import { CapturingResponse } from './capture.ts';
import { ChangeFeed, type ChangeEvent } from './change-feed.ts';
import { ResendProvider, type EmailProvider } from './email-provider.ts';
import { SmtpProvider } from './smtp-provider.ts';
import { LiveHub } from './live.ts';
import {
  FRAGMENT_CACHE_CONTROL,
  LIVE_PREFIX,
  LiveFragments,
  parseLivePath,
  type FragmentName,
} from './live-fragments.ts';
import { outboxConfig, type OutboxConfig } from './outbox-config.ts';
import { OutboxWorker } from './outbox-worker.ts';
import { PageCache, type WireAnswer } from './page-cache.ts';
import { PrivateSiteGate } from './private-site-gate.ts';
import { pruneViewerAccess } from '../domain/audiences/viewer-sessions.ts';
import { privateSiteRefusal } from '../web/private-site.ts';
import type { RequestHead } from './request-head.ts';
import { MaintenanceClock } from './maintenance-clock.ts';
import { FastFront, type StreamAnswer } from './fast-front.ts';
import { Health, HEALTH_PATH, READY_PATH } from './health.ts';
import { MCP_PATH, serveMcp } from './mcp.ts';
import { logger, logLine } from './logger.ts';
import { acceptableRequestId, runWithRequestId } from '../domain/request-context.ts';
import { pruneDeliveryDetails, retentionFrom } from '../domain/retention.ts';
import { Metrics, METRICS_PATH, routeClass } from './metrics.ts';
import { OverloadedError, RenderLimiter } from './render-limiter.ts';
import { SecurityHeaders } from './security-headers.ts';
import { StaticFiles } from './static-files.ts';
import { ViewerGate, writeForViewer } from './viewer-gate.ts';
import { publicSubjects } from '../domain/audiences/public-subjects.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(PROJECT_ROOT, 'dist/server/entry.mjs');

type AstroHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<void>;

export interface CandorServer {
  url: string;
  /** The port it listens on (the one asked for, or the one picked for port 0). */
  port: number;
  setupLink: string | null;
  /** Reads the change feed now: a sibling process wrote something. */
  pollNow(): void;
  /**
   * Stops taking requests and hands over: live readers are told to reconnect elsewhere, sending
   * stops after the calls in flight and gives back the rest of the outbox at once, and requests
   * under way get up to `drainMs` to finish.
   */
  close(drainMs?: number): Promise<void>;
}

/** How long a stopping instance lets requests under way finish before it cuts them off. */
const DRAIN_MS = 10_000;

export interface StartOptions {
  port?: number;
  host?: string;
  log?: (line: string) => void;
  /**
   * One of several processes sharing the port (CANDOR_PROCESSES, see cluster.ts): the primary has
   * migrated, seeded and will print the addresses and the setup link, so this process does not.
   */
  clusterWorker?: boolean;
  /** Called after each staff write through this process, so siblings read the feed at once too. */
  onLocalWrite?: () => void;
}

/** Migrations and the first start's demo: once per start, before any process serves. */
export async function prepareDatabase(log: (line: string) => void): Promise<void> {
  const migration = await migrateDatabase();
  if (migration.applied.length) {
    log(
      `[candor] applied migrations: ${migration.applied.join(', ')}${migration.backup ? ` (backup: ${migration.backup})` : ''}`,
    );
  }
  await seedSettings(getDb());
  if (await seedOnFirstStart(getDb())) log('[candor] seeded the demo status page (set CANDOR_SEED=0 to start empty)');
  const rollups = await catchUpUptimeRollups(getDb());
  if (rollups.components)
    log(`[candor] uptime rollups: folded ${rollups.changes} status changes of ${rollups.components} components`);
}

/** The lines every start prints: where the page is, and the first admin's link while there is none. */
export async function announce(url: string, listening: string, log: (line: string) => void): Promise<string | null> {
  const setupToken = await issueSetupToken(getDb());
  const setupLink = setupToken ? `${url}/admin/setup?token=${setupToken}` : null;
  log(`[candor] listening on ${listening}`);
  log(`[candor] status page: ${url}/`);
  log(
    setupLink
      ? `[candor] create the first admin (one-time link, valid 24 h): ${setupLink}`
      : `[candor] admin: ${url}/admin`,
  );
  return setupLink;
}

export async function startCandor(options: StartOptions = {}): Promise<CandorServer> {
  const log = options.log ?? logLine;
  if (!existsSync(ENTRY)) throw new Error('Candor is not built yet: run `npm start` (it builds) or `npm run build`.');
  const configuredUrl = process.env.PUBLIC_URL;
  const urlProblem = configuredUrl ? publicUrlProblem(configuredUrl) : null;
  if (urlProblem) throw new Error(urlProblem);

  if (!options.clusterWorker) await prepareDatabase(log);
  const db = getDb();
  // The default language is a setting: read once here and again when the feed names the settings.
  const readDefaultLocale = async () => setSiteDefaultLocale((await loadSiteSettings(db)).defaultLocale);
  await readDefaultLocale();

  const { handler } = (await import(pathToFileURL(ENTRY).href)) as { handler: AstroHandler };
  const statics = new StaticFiles(join(PROJECT_ROOT, 'dist/client'));
  const cache = new PageCache();
  // Which requests the shared cache may answer (viewer-gate.ts): read now and at every structure change.
  const gate = new ViewerGate();
  await gate.load(db);
  const live = new LiveHub();
  const retention = retentionFrom();
  const feed = new ChangeFeed(getHandle().client, Number(process.env.CANDOR_POLL_MS) || 250, retention.changeEventsMs);
  const privateSite = new PrivateSiteGate(db, gate);
  let worker: OutboxWorker | null = null;
  let clock: MaintenanceClock | null = null;
  let pruner: NodeJS.Timeout | undefined;
  const namedForPublic = async (events: ChangeEvent[]): Promise<ChangeEvent[]> => {
    try {
      const subjects = await publicSubjects(
        db,
        events.map((e) => e.subject),
      );
      return events.map((e, i) => ({ ...e, subject: subjects[i] }));
    } catch (error) {
      logger.error({ err: error }, 'judging which changes the public sees failed; naming none');
      return events.map((e) => ({ ...e, subject: '' }));
    }
  };
  feed.on('change', (events) => {
    cache.invalidate();
    worker?.wake();
    // Another instance may have changed the default language. It is read before readers are told,
    // so an open page that fetches itself again gets the new language; pages answered in the old
    // one meanwhile are dropped again.
    const settingsChanged = events.some((e) => e.subject === 'settings');
    const settled = settingsChanged
      ? readDefaultLocale()
          .then((changed) => void (changed && cache.invalidate()))
          .catch(() => undefined) // read again at the next settings change; readers still hear of this one
      : Promise.resolve();
    // Who may be answered from the cache, and the whole-site switch, may have changed (audiences,
    // settings): read again before anyone is told.
    const gated = events.some((e) => e.kind === 'structure')
      ? gate
          .load(db)
          .then(() => cache.invalidate())
          .catch((error: unknown) => logger.error({ err: error }, 'reading the audience settings failed'))
      : Promise.resolve();
    // Readers are told after the new fragments are rendered and cached: their fetches then hit.
    // With audiences, a change the public fragments do not show may show in a viewer's: every
    // fragment then moves. The stream names only what the public sees (public-subjects.ts).
    void Promise.all([settled, gated])
      .then(() => fragments.publish(events[events.length - 1].id, gate.audiencesInUse))
      .then(async (state) => live.broadcast(await namedForPublic(events), state));
  });

  const render = async (req: IncomingMessage) => {
    const started = performance.now();
    const captured = new CapturingResponse(req);
    await handler(req, captured as unknown as ServerResponse);
    const page = await captured.done;
    metrics?.observeRender((performance.now() - started) / 1000);
    return page;
  };
  // Two cores: a few renders at once keep both busy; the rest wait their turn, briefly.
  const renders = new RenderLimiter(4, 256);
  // The Astro pages behind the live fragments (src/pages/live/), in each language: a reader's page
  // asks for its own with `?lang=` (the language is always named, never taken from a cookie).
  const fragmentPage = (name: FragmentName, locale: Locale) => `/live/${name}?${LANG_PARAM}=${locale}`;
  const fragmentKey = (name: FragmentName, locale: Locale) => `live:${locale}:${name}`;
  // Which fragments changed is judged in the site's language: the same data reads the same in
  // every language, so the other languages are rendered when the first reader asks for them.
  const renderFragment = (name: FragmentName) => {
    // No reader asked: a request of the server's own, as if for the public address.
    const locale = siteDefaultLocale();
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = fragmentPage(name, locale);
    req.headers = { host: new URL(publicUrl()).host };
    return cache.body(
      fragmentKey(name, locale),
      security.for(req.url),
      () => renders.run(() => render(req)),
      FRAGMENT_CACHE_CONTROL,
    );
  };
  // Every version up to the newest is answered with the newest fragment: one entry, one render
  // per language, named by `?lang=` (or the site's).
  const fragmentLocale = (query: string) =>
    localeFromParam(new URLSearchParams(query).get(LANG_PARAM)) ?? siteDefaultLocale();
  // Knows no version until the feed starts (after the server listens and the headers are set).
  const fragments = new LiveFragments(0, renderFragment);
  const serveLive = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: string,
    headers: OutgoingHttpHeaders,
  ) => {
    const wanted = parseLivePath(path);
    if (!wanted) return refuse(req, res, headers, 404, 'There is no live fragment at this address.');
    if (wanted.kind === 'version') return fragments.serveVersion(req, res, headers);
    // Another instance may have named a change this one has not read from the feed yet.
    for (let tries = 0; tries < 2 && wanted.version > feed.lastId; tries++) await feed.pollSoon();
    if (wanted.version > feed.lastId)
      return refuse(req, res, headers, 404, `Version ${wanted.version} of the live status does not exist.`);
    const locale = fragmentLocale(query);
    req.url = fragmentPage(wanted.name, locale);
    // A viewer's fragment shows what they see: rendered for them, kept by nobody.
    if (!gate.sharedMay(req)) return writeForViewer(req, res, await renders.run(() => render(req)), headers);
    return cache.serve(
      req,
      res,
      fragmentKey(wanted.name, locale),
      headers,
      () => renders.run(() => render(req)),
      FRAGMENT_CACHE_CONTROL,
    );
  };
  let shuttingDown = false;
  const health = new Health({
    client: getHandle().client,
    feedReadAt: () => feed.readAt,
    feedIntervalMs: feed.intervalMs,
    shuttingDown: () => shuttingDown,
  });
  const metricsToken = process.env.CANDOR_METRICS_TOKEN?.trim();
  const metrics: Metrics | null = metricsToken
    ? new Metrics(metricsToken, {
        client: getHandle().client,
        liveViewers: () => live.viewers,
        feedReadAt: () => feed.readAt,
        cacheOutcomes: () => cache.outcomes,
        fastFront: () => fast.counts,
      })
    : null;
  // What the public read path serves at `path` (from its cache): the MCP public tools read this.
  const publicDocument = async (docPath: string) => {
    const own = new IncomingMessage(new Socket());
    own.method = 'GET';
    own.url = docPath;
    own.headers = { host: new URL(publicUrl()).host };
    const { key } = canonicalRequest(docPath, '', docPath);
    const body = await cache.body(key, security.for(docPath), () => renders.run(() => render(own)));
    if (!body) throw new Error(`${docPath} could not be read from the public read path.`);
    return JSON.parse(body.toString('utf8')) as unknown;
  };
  const serveMcpRequest = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    headers: OutgoingHttpHeaders,
  ) => {
    for (const name in headers) res.setHeader(name, headers[name]!);
    res.setHeader('cache-control', 'no-store');
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, limitFor(limits, path));
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'The body is not valid JSON.' }, id: null }),
        );
        return;
      }
    }
    const requestId = acceptableRequestId(req.headers['x-request-id']) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    // A staff tool may have written: let this instance and its siblings see it at once.
    res.once('finish', () => {
      worker?.wake();
      void feed.pollSoon();
      options.onLocalWrite?.();
    });
    await runWithRequestId(requestId, () => serveMcp(req, res, body, { db, publicDocument }));
  };
  const limits = bodyLimits();
  /**
   * The page-cache entry a public GET or HEAD is answered from, or null when the front server
   * answers it otherwise (health, metrics, live, MCP, the client build) or Astro does.
   */
  const publicCacheTarget = (
    method: string | undefined,
    pathname: string,
    path: string,
    query: string,
    cookie: string | undefined,
  ) => {
    if (!isPublicPath(method, pathname) || statics.has(pathname)) return null;
    if (path === HEALTH_PATH || path === READY_PATH || path === METRICS_PATH || path === MCP_PATH) return null;
    if (path.startsWith(LIVE_PREFIX)) return null;
    return canonicalRequest(pathname, query, path, cookie);
  };
  // Set once the port is known (before the first request can arrive).
  let hosts: AllowedHosts;
  let security: SecurityHeaders;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    // Origin-form only: an absolute-form target (`GET http://other/ HTTP/1.1`) would name a host
    // the Host check never saw.
    if (!url.startsWith('/'))
      return refuse(req, res, security.for('/'), 400, 'The request target must be a path starting with "/".');
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const path = routedPath(pathname);
    // Balancers and scrapers reach an instance by its address, under any Host: health and
    // metrics answer before the Host check (metrics only with their token).
    if (health.serve(req, res, path)) return;
    if (path === METRICS_PATH) {
      if (metrics) return metrics.serve(req, res);
      return refuse(
        req,
        res,
        {},
        404,
        'Metrics are off; set CANDOR_METRICS_TOKEN to serve them here (see the README).',
      );
    }
    const headers = security.for(path);
    const host = hosts.check(req.headers.host);
    if (!host.ok) return refuse(req, res, headers, host.status, host.message);
    // On a private site the public gets nothing here: not the live updates, not the public tools.
    if (privateSite.on && (await privateSite.refuses(req, path)))
      return refuse(req, res, headers, 401, privateSiteRefusal(publicUrl()).trim());
    if (path.startsWith(LIVE_PREFIX) && (req.method === 'GET' || req.method === 'HEAD'))
      return serveLive(req, res, path, q === -1 ? '' : url.slice(q + 1), headers);
    if (path === MCP_PATH) return serveMcpRequest(req, res, path, headers);
    const canonical = publicCacheTarget(
      req.method,
      pathname,
      path,
      q === -1 ? '' : url.slice(q + 1),
      req.headers.cookie,
    );
    if (canonical) {
      // Cached answers carry the security headers in the entry: nothing is merged per hit.
      req.url = canonical.url;
      // A viewer's page (or any, on a private site) is rendered for them and kept by nobody.
      if (!gate.sharedMay(req)) return writeForViewer(req, res, await renders.run(() => render(req)), headers);
      // Uploaded brand images are named by their content hash: a URL's answer never changes.
      const cacheControl = path.startsWith(BRAND_PATH_PREFIX) ? FRAGMENT_CACHE_CONTROL : undefined;
      return cache.serve(
        req,
        res,
        canonical.key,
        headers,
        () => renders.run(() => render(req)),
        cacheControl,
        canonical.searched,
      );
    }
    for (const name in headers) res.setHeader(name, headers[name]!);
    if (pathname === LIVE_PATH && req.method === 'GET') {
      if (shuttingDown)
        return refuse(req, res, { 'retry-after': '1' }, 503, 'This instance is shutting down; reconnect in a moment.');
      return live.connect(req, res, fragments.state);
    }
    if (statics.serve(req, res, pathname)) return;
    // What reaches Astro (the admin, the API, forms, personal pages) is logged with an id that
    // also goes into the audit entries it writes and the messages it queues.
    const requestId = acceptableRequestId(req.headers['x-request-id']) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    res.once('finish', () =>
      logger.info(
        {
          reqId: requestId,
          method: req.method,
          path: loggablePath(path),
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      ),
    );
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Astro reads the buffered body (req.body) instead of the stream.
      (req as IncomingMessage & { body?: Buffer }).body = await readBody(req, limitFor(limits, path));
      // A write through this instance: send what it queued, and for staff writes drop the cache
      // at once (subscriber forms change no public page, so they must not empty it).
      const staffWrite = isStaffWritePath(pathname);
      res.once('finish', () => {
        worker?.wake();
        if (!staffWrite) return;
        cache.invalidate();
        void feed.pollSoon();
        options.onLocalWrite?.();
      });
    }
    await runWithRequestId(requestId, () => handler(req, res));
  };

  let inFlight = 0;
  // The read path is logged only when asked for (LOG_LEVEL=debug): it is most of the traffic.
  const logReads = logger.isLevelEnabled('debug');
  const server = http.createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (metrics || logReads) {
        const pathname = routedPath((req.url ?? '/').split('?')[0]);
        const route = routeClass(pathname, statics.has(pathname));
        metrics?.count(route, res.statusCode);
        if (logReads && !res.hasHeader('x-request-id'))
          logger.debug({ method: req.method, path: loggablePath(pathname), status: res.statusCode, route }, 'read');
      }
    });
    // While stopping, answers close their connection: the client's next request goes elsewhere.
    if (shuttingDown) res.shouldKeepAlive = false;
    handle(req, res).catch((error: unknown) => {
      const headers = security.for(routedPath((req.url ?? '/').split('?')[0]));
      if (error instanceof BodyTooLargeError) {
        // The client may still be sending. A declared body of reasonable size is read and dropped
        // after the answer (node:http does so on a kept connection), so the client reads this
        // answer instead of a reset; a larger or open-ended one closes the connection.
        const declared = Number(req.headers['content-length']);
        const drop = Number.isFinite(declared) && declared <= DISCARDED_BODY_BYTES;
        return refuse(req, res, drop ? headers : { ...headers, connection: 'close' }, 413, error.message);
      }
      if (error instanceof OverloadedError)
        return refuse(req, res, { ...headers, 'retry-after': '1' }, 503, error.message);
      logger.error(
        {
          err: error,
          reqId: res.getHeader('x-request-id'),
          method: req.method,
          path: loggablePath(routedPath((req.url ?? '/').split('?')[0])),
        },
        'request failed',
      );
      if (!res.headersSent) res.writeHead(500, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Candor could not answer this request; the error is in the server log.');
    });
  });
  server.keepAliveTimeout = 65_000;

  // A fresh cached answer to a plain read is written by the fast front (fast-front.ts) before
  // node:http sees the connection; the rules are handle()'s: the Host check, then the cache key.
  const fastAnswer = (head: RequestHead, peer: string | undefined): WireAnswer | StreamAnswer | null => {
    if (shuttingDown) return null;
    const q = head.target.indexOf('?');
    const pathname = q === -1 ? head.target : head.target.slice(0, q);
    if (!hosts.check(head.host).ok) return null;
    // A private site admits each reader first (handle() does, with the viewer's cookie and address).
    if (privateSite.on) return null;
    if (pathname === LIVE_PATH && head.method === 'GET') {
      const headers = security.for(pathname);
      return { stream: (socket, dateLine) => live.connectSocket(socket, headers, dateLine, fragments.state) };
    }
    // A viewer's request (a viewer cookie, or an address in an audience's allowlist) is node:http's.
    if (!gate.sharedMayFor(head.cookie, head.forwardedFor, peer)) return null;
    const query = q === -1 ? '' : head.target.slice(q + 1);
    const path = routedPath(pathname);
    if (path.startsWith(LIVE_PREFIX)) {
      // A fragment version this instance has read, already rendered: what an outage crowd fetches.
      const wanted = parseLivePath(path);
      if (!wanted || wanted.kind === 'version' || wanted.version > feed.lastId) return null;
      return cache.wireAnswer(fragmentKey(wanted.name, fragmentLocale(query)), false, head);
    }
    const target = publicCacheTarget(head.method, pathname, path, query, head.cookie);
    return target && cache.wireAnswer(target.key, target.searched, head);
  };
  const fast: FastFront = new FastFront({
    http: server,
    answer: fastAnswer,
    keepAliveMs: server.keepAliveTimeout,
    answered:
      metrics || logReads
        ? (head, status) => {
            const pathname = routedPath(head.target.split('?')[0]);
            const route = routeClass(pathname, false);
            metrics?.count(route, status);
            if (logReads) logger.debug({ method: head.method, path: loggablePath(pathname), status, route }, 'read');
          }
        : undefined,
  });

  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 4321);
  const host = options.host ?? listenHost();
  await new Promise<void>((ok, fail) => {
    fast.server.once('error', fail);
    fast.server.listen(port, host, () => ok());
  });
  // node:http tracks its connections (idle ones for closeIdleConnections, the headers and request
  // timeouts) from its 'listening' event; the listening socket is the fast front's, so say it.
  server.emit('listening');
  const address = fast.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  defaultPublicUrl(host, actualPort);
  const url = publicUrl();
  hosts = new AllowedHosts(url, actualPort, process.env.CANDOR_ALLOWED_HOSTS);
  security = new SecurityHeaders(publicUrlIsHttps());
  await feed.start();
  await fragments.publish(feed.lastId);

  const config = outboxConfig();
  if (config.enabled) {
    worker = new OutboxWorker({
      db,
      ctx: async () => {
        const settings = await loadSiteSettings(db);
        return { siteName: settings.name, publicUrl: url, timeZone: settings.timeZone };
      },
      config,
      email: emailProvider(config),
      log,
    });
    worker.start();
    if (config.emailOffReason) log(`[candor] email: ${config.emailOffReason}`);
    clock = new MaintenanceClock(
      db,
      Number(process.env.CANDOR_MAINTENANCE_TICK_MS) || 15_000,
      () => worker?.wake(),
      log,
    );
    clock.start();
    // Idempotent, so every sending instance may run it; hourly is plenty for a window of days.
    const prune = () => {
      void pruneDeliveryDetails(db, retention).catch((error: unknown) =>
        log(`[candor] pruning delivery details failed: ${(error as Error).message}`),
      );
      void pruneViewerAccess(db).catch((error: unknown) =>
        log(`[candor] pruning ended viewer sessions failed: ${(error as Error).message}`),
      );
    };
    prune();
    pruner = setInterval(prune, 3_600_000);
    pruner.unref();
  }

  const setupLink = options.clusterWorker ? null : await announce(url, listeningAddress(host, actualPort), log);

  return {
    url,
    port: actualPort,
    setupLink,
    pollNow: () => void feed.pollSoon(),
    close: async (drainMs = DRAIN_MS) => {
      shuttingDown = true;
      clearInterval(pruner);
      // The listening socket is the fast front's; node:http has the connections handed to it.
      const closed = new Promise<void>((ok) => fast.server.close(() => ok()));
      fast.stopFastAnswers();
      server.closeIdleConnections();
      live.close({ minMs: 500, maxMs: 3000 });
      await clock?.stop();
      await worker?.stop();
      await drain(() => inFlight, drainMs);
      feed.stop();
      server.closeAllConnections();
      fast.destroyAll();
      server.close(); // stops node:http's connection checks
      await closed;
    },
  };
}

/** A path fit for the log: a subscriber's secret link is cut to its prefix. */
function loggablePath(path: string): string {
  if (!isPersonalPath(path)) return path;
  // The secret is the segment after the prefix; whatever follows it (/unsubscribe) goes too.
  return path.startsWith('/subscribe/confirm/') ? '/subscribe/confirm/…' : '/subscription/…';
}

/** Waits until the answers under way are done, or the deadline passes. */
async function drain(inFlight: () => number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (inFlight() > 0 && Date.now() < until) await new Promise((ok) => setTimeout(ok, 25));
}

export function listeningAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Where to listen unless told: HOST, or loopback only. */
export function listenHost(): string {
  return process.env.HOST ?? '127.0.0.1';
}

/** Without a configured PUBLIC_URL, links start with the address the server prints. */
export function defaultPublicUrl(host: string, port: number): void {
  process.env.PUBLIC_URL ||= `http://${printableHost(host)}:${port}`;
}

/** The name links use when PUBLIC_URL is not set: a wildcard or loopback address reads as localhost. */
function printableHost(host: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', '::1'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** The most of a refused body read and dropped to keep its connection (see the 413 above). */
const DISCARDED_BODY_BYTES = 8 * 1024 * 1024;

const REFUSAL_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  404: 'not_found',
  413: 'payload_too_large',
  421: 'misdirected_request',
  503: 'unavailable',
};

/** A short refusal that no cache keeps: the API's error shape under /api/, plain text elsewhere. */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  headers: OutgoingHttpHeaders,
  status: number,
  message: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const api = isApiPath(req.url ?? '');
  const body = api ? JSON.stringify({ error: { code: REFUSAL_CODES[status] ?? 'invalid_request', message } }) : message;
  res.writeHead(status, {
    ...headers,
    'content-type': api ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** The email provider the configuration names: SMTP_URL when set, else Resend, else none. */
function emailProvider(config: OutboxConfig): EmailProvider | null {
  const email = config.email;
  if (!email) return null;
  return email.provider === 'smtp'
    ? new SmtpProvider(email.smtp, email.from, config.emailLanes)
    : new ResendProvider(email.apiKey, email.from);
}
