// An outage crowd: N viewers (default 10,000, BENCH_VIEWERS) hold the status page's event stream
// on one Candor instance, spread over worker processes (bench/crowd-viewers.ts). One incident is
// opened through the API, touching a component (so the status and the uptime fragments both
// change). Reported: time from the API call to each viewer's event, and to its fresh content
// (the status fragment the event named, fetched and containing the new incident), and to the bars
// as well (the uptime fragment, fetched after it, as the page does), as p50/p99/max, and the
// server's memory (RSS now and at its peak). Targets: p99 to fresh content < 1 s, RSS < 500 MB.
//
// A second run puts nginx in front (event stream proxied unbuffered, everything else through
// proxy_cache with proxy_cache_lock, as a CDN would) and counts, from nginx's own log, how many
// requests for each fragment version reached Candor. Target: one per version.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, createUserWithToken } from '../tests/support/api.ts';
import { freePort } from '../tests/support/ports.ts';
import { startServer, type TestServer } from '../tests/support/server.ts';
import { median } from './stats.ts';

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 10_000);
const WORKERS = Number(process.env.BENCH_VIEWER_PROCESSES ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Report {
  events: number[];
  fresh: number[];
  complete: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

/** The server's memory: its own process and, with CANDOR_PROCESSES, the processes it runs. */
function memory(pid: number): { rssMb: number; peakMb: number } {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    // no children: one process
  }
  let rss = 0;
  let peak = 0;
  for (const id of [pid, ...children]) {
    const status = readFileSync(`/proc/${id}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
    rss += kb('VmRSS');
    peak += kb('VmHWM');
  }
  return { rssMb: rss / 1024, peakMb: peak / 1024 };
}

/** Opens the viewers, opens one incident, and waits for every viewer to have fresh content. */
async function crowd(server: TestServer, viewerUrl: string, token: string, run: number) {
  const marker = `Crowd benchmark ${run} ${Date.now()}`;
  const workers: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<Report>[] = [];
  const progress: number[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const count = Math.floor(VIEWERS / WORKERS) + (w < VIEWERS % WORKERS ? 1 : 0);
    const child = fork(join(import.meta.dirname, 'crowd-viewers.ts'), [], { execPath: process.execPath });
    workers.push(child);
    let readyOk!: () => void;
    let doneOk!: (report: Report) => void;
    ready.push(new Promise((ok) => (readyOk = ok)));
    done.push(new Promise((ok) => (doneOk = ok)));
    child.on('message', (message: { ready?: number; error?: string; progress?: number } & Partial<Report>) => {
      if (message.progress) progress[w] = message.progress;
      else if (message.error) console.error(`viewer error: ${message.error}`);
      else if (message.ready) readyOk();
      else if (message.fresh) doneOk(message as Report);
    });
    child.send({ url: viewerUrl, count, marker });
  }
  try {
    await withTimeout(Promise.all(ready), 120_000, 'viewers did not all connect');
    // Let the connection storm settle before the change.
    await new Promise((ok) => setTimeout(ok, 2000));
    const started = Date.now();
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: marker,
      impact: 'major',
      message: 'Investigating elevated errors.',
      components: { 1: run % 2 ? 'partial_outage' : 'degraded_performance' },
    });
    if (opened.status !== 201) throw new Error(`opening the incident failed: ${JSON.stringify(opened.body)}`);
    const reports = await withTimeout(Promise.all(done), 60_000, 'not every viewer got fresh content').catch(
      (error: Error) => {
        throw new Error(`${error.message} (fresh so far, per process: ${progress.join(', ')})`);
      },
    );
    const events = reports.flatMap((r) => r.events.map((t) => t - started));
    const fresh = reports.flatMap((r) => r.fresh.map((t) => t - started));
    const complete = reports.flatMap((r) => r.complete.map((t) => t - started));
    return { event: summary(events), fresh: summary(fresh), bars: summary(complete), memory: memory(server.pid) };
  } finally {
    for (const child of workers) child.kill();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(message)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Sets the incident's component back, so each run starts from an operational page. */
async function calm(server: TestServer, token: string) {
  const list = await api(server.url, token, 'GET', '/api/v1/incidents?per_page=100');
  for (const incident of list.body.incidents as { id: number; status: string }[]) {
    if (incident.status === 'resolved') continue;
    await api(server.url, token, 'POST', `/api/v1/incidents/${incident.id}/updates`, {
      status: 'resolved',
      message: 'Resolved.',
      components: { 1: 'operational' },
      notify: false,
    });
  }
  await new Promise((ok) => setTimeout(ok, 1000));
}

const ms = (s: { p50: number; p99: number; max: number }) => `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms`;

function spread(label: string, values: number[]) {
  return `${label}: median ${median(values)} ms (runs: ${values.join(', ')})`;
}

const PROCESSES = process.env.BENCH_PROCESSES ?? '1';
const server = await startServer({
  env: { CANDOR_WORKER: '0', CANDOR_PROCESSES: PROCESSES, NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS ?? '' },
});
const { token } = createUserWithToken(server.dbFile, 'support');
try {
  console.log(
    `crowd: ${VIEWERS} viewers on /events in ${WORKERS} processes, one Candor instance of ${PROCESSES} process(es)`,
  );
  const p99s: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    await calm(server, token);
    const result = await crowd(server, server.url, token, run);
    p99s.push(result.fresh.p99);
    console.log(
      `  run ${run}: event ${ms(result.event)}; fresh content ${ms(result.fresh)}; bars too ${ms(result.bars)}; server RSS ${result.memory.rssMb.toFixed(0)} MB (peak ${result.memory.peakMb.toFixed(0)} MB)`,
    );
  }
  console.log(`  ${spread('p99 to fresh content', p99s)} (target < 1000 ms; RSS target < 500 MB)`);

  // Behind nginx with proxy_cache: how many fragment requests reach the origin per version.
  const dir = mkdtempSync(join(tmpdir(), 'candor-crowd-'));
  mkdirSync(join(dir, 'cache'));
  const nginxPort = await freePort();
  const origin = new URL(server.url);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; user root; worker_processes 2; worker_rlimit_nofile 20000; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 16000; }
http {
  log_format origin '$upstream_cache_status $request_uri $status';
  access_log ${dir}/access.log origin;
  proxy_cache_path ${dir}/cache keys_zone=candor:10m;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  upstream candor { server ${origin.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort} reuseport;
    proxy_http_version 1.1;
    proxy_set_header Connection '';
    proxy_set_header Host ${origin.host};
    location = /events { proxy_pass http://candor; proxy_buffering off; proxy_read_timeout 1h; }
    location / { proxy_pass http://candor; proxy_cache candor; proxy_cache_lock on; proxy_cache_lock_timeout 10s; }
  }
}`,
  );
  mkdirSync(join(dir, 'tmp'));
  const nginx = spawn('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
  await new Promise((ok) => setTimeout(ok, 500));
  try {
    await calm(server, token);
    const result = await crowd(server, `http://127.0.0.1:${nginxPort}`, token, RUNS + 1);
    const lines = readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n');
    const perFragment = new Map<string, { origin: number; total: number }>();
    for (const line of lines) {
      const [cacheStatus, uri] = line.split(' ');
      if (!uri.startsWith('/live/')) continue;
      const count = perFragment.get(uri) ?? { origin: 0, total: 0 };
      count.total++;
      if (cacheStatus === 'MISS' || cacheStatus === 'EXPIRED' || cacheStatus === '-') count.origin++;
      perFragment.set(uri, count);
    }
    console.log(
      `behind nginx (proxy_cache, proxy_cache_lock): event ${ms(result.event)}; fresh ${ms(result.fresh)}; bars too ${ms(result.bars)}`,
    );
    for (const [uri, count] of perFragment)
      console.log(`  ${uri}: ${count.total} requests, ${count.origin} reached Candor (target 1)`);
  } finally {
    nginx.kill('SIGTERM');
  }
} finally {
  await server.stop();
}
