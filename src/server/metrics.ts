// Prometheus metrics at /metrics (prom-client's exposition format), for alerting on what an outage
// stresses: the read path, the live channel, the change feed and the outbox. Off unless
// CANDOR_METRICS_TOKEN is set; scrapers then send it as a bearer token. Request counts are plain
// integers on the hot path and become prom-client counters only when scraped.
import { subscribe } from 'node:diagnostics_channel';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@libsql/client';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliverySignal, LoginSignal } from '../domain/signals.ts';
import { isAdminPath, isApiV1Path, isPersonalPath, LIVE_PATH } from '../web/paths.ts';

export const METRICS_PATH = '/metrics';

/** What a request was, for counting: few values, so the series stay few. */
export type RouteClass =
  'public' | 'static' | 'live' | 'events' | 'api_v1' | 'api_v2' | 'admin' | 'personal' | 'health' | 'metrics';

export function routeClass(path: string, isStatic: boolean): RouteClass {
  if (path === LIVE_PATH) return 'events';
  if (path.startsWith('/live/')) return 'live';
  if (path === '/healthz' || path === '/readyz') return 'health';
  if (path === METRICS_PATH) return 'metrics';
  if (isApiV1Path(path)) return 'api_v1';
  if (path.startsWith('/api/')) return 'api_v2';
  if (isAdminPath(path)) return 'admin';
  if (isPersonalPath(path)) return 'personal';
  return isStatic ? 'static' : 'public';
}

export interface MetricsSources {
  client: Client;
  liveViewers: () => number;
  feedReadAt: () => number;
  cacheOutcomes: () => Record<'hit' | 'miss' | 'shared', number>;
  fastFront: () => { answered: number; handedOff: number };
}

export class Metrics {
  readonly registry = new Registry();
  readonly #token: Buffer;
  readonly #requests = new Map<string, number>();
  readonly #render: Histogram;

  constructor(token: string, sources: MetricsSources) {
    this.#token = Buffer.from(token);
    const registers = [this.registry];
    // prom-client's default set names two gauges `_total`, which promtool rejects: the few
    // process figures worth alerting on are measured here instead.
    new Gauge({
      name: 'candor_process_resident_memory_bytes',
      help: 'Resident memory of this process.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: 'candor_process_heap_used_bytes',
      help: 'V8 heap in use by this process.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    new Gauge({
      name: 'candor_event_loop_delay_p99_seconds',
      help: '99th percentile of event-loop delay since the previous scrape: how long requests wait for the process.',
      registers: [this.registry],
      collect() {
        this.set(loop.percentile(99) / 1e9);
        loop.reset();
      },
    });
    const requests = this.#requests;
    new Counter({
      name: 'candor_http_requests_total',
      help: 'HTTP requests answered, by route class and status code.',
      labelNames: ['route', 'status'],
      registers,
      collect() {
        this.reset();
        for (const [key, n] of requests) {
          const [route, status] = key.split(' ');
          this.inc({ route, status }, n);
        }
      },
    });
    new Counter({
      name: 'candor_page_cache_requests_total',
      help: 'Public read-path requests by how the cache answered: hit, miss (rendered) or shared (waited for a render).',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        for (const [result, n] of Object.entries(sources.cacheOutcomes())) this.inc({ result }, n);
      },
    });
    new Counter({
      name: 'candor_fast_front_answers_total',
      help: 'Cached answers the fast front wrote itself, before node:http read the connection.',
      registers,
      collect() {
        this.reset();
        this.inc(sources.fastFront().answered);
      },
    });
    new Counter({
      name: 'candor_fast_front_handoffs_total',
      help: 'Connections the fast front handed to node:http (a request it does not answer itself).',
      registers,
      collect() {
        this.reset();
        this.inc(sources.fastFront().handedOff);
      },
    });
    this.#render = new Histogram({
      name: 'candor_render_duration_seconds',
      help: 'Time to render a page or fragment the cache did not hold.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    new Gauge({
      name: 'candor_live_viewers',
      help: 'Open live-update streams (/events) on this instance.',
      registers,
      collect() {
        this.set(sources.liveViewers());
      },
    });
    new Gauge({
      name: 'candor_change_feed_lag_seconds',
      help: 'Time since this instance last read the change feed; pages may be stale by this much.',
      registers,
      collect() {
        const readAt = sources.feedReadAt();
        this.set(readAt ? (Date.now() - readAt) / 1000 : Number.NaN);
      },
    });
    new Gauge({
      name: 'candor_outbox_deliveries',
      help: 'Deliveries in the shared outbox waiting to be sent (queued) or given up on (failed), by channel.',
      labelNames: ['channel', 'state'],
      registers,
      async collect() {
        this.reset();
        const rows = await sources.client.execute(
          "SELECT channel, state, count(*) AS n FROM deliveries WHERE state IN ('queued', 'failed') GROUP BY channel, state",
        );
        for (const row of rows.rows)
          this.set({ channel: String(row.channel), state: String(row.state) }, Number(row.n));
      },
    });
    const deliveries = new Counter({
      name: 'candor_deliveries_total',
      help: 'Deliveries this instance tried, by channel and outcome (sent, retry, failed).',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    const limited = new Counter({
      name: 'candor_provider_rate_limited_total',
      help: 'Provider calls answered 429 (rate limited), by channel.',
      labelNames: ['channel'],
      registers,
    });
    const logins = new Counter({
      name: 'candor_login_failures_total',
      help: 'Staff logins that failed (wrong email or password) or were refused (too many failures).',
      labelNames: ['outcome'],
      registers,
    });
    subscribe('candor:delivery', (message) => {
      const signal = message as DeliverySignal;
      if (signal.outcome === 'rate-limited') limited.inc({ channel: signal.channel });
      else deliveries.inc({ channel: signal.channel, outcome: signal.outcome }, signal.count);
    });
    subscribe('candor:login', (message) => logins.inc({ outcome: (message as LoginSignal).outcome }));
  }

  /** Counts one answered request. */
  count(route: RouteClass, status: number): void {
    const key = `${route} ${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }

  observeRender(seconds: number): void {
    this.#render.observe(seconds);
  }

  /** Answers /metrics: the exposition for the right bearer token, 401 otherwise. */
  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (given.length !== this.#token.length || !timingSafeEqual(given, this.#token)) {
      res.writeHead(401, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer realm="candor-metrics"',
      });
      res.end('Send the metrics token (CANDOR_METRICS_TOKEN) as "Authorization: Bearer <token>".');
      return;
    }
    const body = await this.registry.metrics();
    res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  }
}
