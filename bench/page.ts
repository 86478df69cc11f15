// The public read path: requests per second for `/`, the Statuspage JSON, the badge and the feed
// from Candor's front server against nginx serving the same bytes as static files, measured in the
// same run with wrk (50 connections, BENCH_SECONDS each, default 5). nginx runs one worker; Candor
// runs as one process and as two (CANDOR_PROCESSES=2), on the same loopback, one after the other,
// in BENCH_RUNS rounds (default 3) interleaved so a noisy moment hits all three alike. Prints the
// median and the spread of the rounds, and the ratios of the medians. The compressible answers are
// measured a second time as browsers ask for them (gzip), nginx serving the same .gz with gzip_static.
// A bare node:net server writing Candor's own answers from memory (node-floor.ts) runs in the same
// rounds: what a Node process can do at most, so a gap to nginx reads as Candor's or as Node's.
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../tests/support/ports.ts';
import { RawConnection } from '../tests/support/raw-http.ts';
import { startServer } from '../tests/support/server.ts';
import { median } from './stats.ts';

const DURATION = process.env.BENCH_SECONDS ?? '5';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = '50';

function which(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

for (const tool of ['wrk', 'nginx']) {
  if (!which(tool) && !which(`/usr/sbin/${tool}`)) {
    console.error(`bench needs ${tool}: apt-get install -y nginx wrk`);
    process.exit(2);
  }
}

const TICK_MICROS = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** The CPU time (user and system) process `pid` has used, in µs. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
}

/**
 * Requests per second wrk reached against `url`, and the CPU the server process `pid` spent per
 * answer meanwhile: the second does not depend on how the two cores were shared with wrk.
 */
function wrk(url: string, gzip: boolean, pid?: number): { rps: number; cpu: number } {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${DURATION}s`, ...(gzip ? ['-H', 'Accept-Encoding: gzip'] : []), url];
  const before = pid === undefined ? 0 : cpuMicros(pid);
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const used = pid === undefined ? NaN : cpuMicros(pid) - before;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const requests = /(\d+) requests in/.exec(out);
  if (!rps || !requests) throw new Error(`could not read wrk output:\n${out}`);
  if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  return { rps: Number(rps[1]), cpu: used / Number(requests[1]) };
}

const PATHS = ['/', '/api/v2/summary.json', '/badge.svg', '/history.atom'];
/** Browsers ask for gzip: these are measured that way too (nginx serves the same .gz with gzip_static). */
const GZIPPED = ['/', '/api/v2/summary.json', '/history.atom'];
const VARIANTS = [...PATHS.map((path) => ({ path, gzip: false })), ...GZIPPED.map((path) => ({ path, gzip: true }))];

/** An answer's bytes as sent (fetch would decompress them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ encoding?: string; body: Buffer }> {
  return new Promise((ok, fail) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
      .on('error', fail);
  });
}
/** The whole answer to a keep-alive GET as it came off the wire: status line, headers and body. */
async function rawAnswer(url: string, path: string, headers: Record<string, string>): Promise<Buffer> {
  const { port, host } = new URL(url);
  const connection = await RawConnection.open(Number(port));
  const lines = Object.entries({ host, ...headers }).map(([name, value]) => `${name}: ${value}\r\n`);
  connection.write(`GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
  const answer = await connection.answer();
  connection.close();
  // Cached answers always carry their length; a chunked one is not what the floor can replay.
  if (answer.headers['content-length'] === undefined)
    throw new Error(`Candor answered ${path} without a Content-Length`);
  return Buffer.concat([Buffer.from(`${answer.head}\r\n\r\n`, 'latin1'), answer.body]);
}

const candor = await startServer({ env: { CANDOR_POLL_MS: '250' } });
const candor2 = await startServer({ dbFile: candor.dbFile, env: { CANDOR_POLL_MS: '250', CANDOR_PROCESSES: '2' } });
const bodies = new Map<string, Buffer>();
const gzips = new Map<string, Buffer>();
for (const path of PATHS) bodies.set(path, Buffer.from(await (await fetch(candor.url + path)).arrayBuffer()));
for (const path of GZIPPED) {
  const answer = await rawGet(candor.url + path, { 'accept-encoding': 'gzip' });
  if (answer.encoding !== 'gzip') throw new Error(`Candor did not answer ${path} with gzip`);
  gzips.set(path, answer.body);
}
const fileOf = (path: string) => (path === '/' ? '/index.html' : path);

const dir = mkdtempSync(join(tmpdir(), 'candor-bench-'));
// nginx's workers run as an unprivileged user: they must be able to read the page.
chmodSync(dir, 0o755);
mkdirSync(join(dir, 'www/api/v2'), { recursive: true, mode: 0o755 });
chmodSync(join(dir, 'www/api'), 0o755);
for (const [path, body] of bodies) writeFileSync(join(dir, 'www', fileOf(path)), body);
for (const [path, body] of gzips) writeFileSync(join(dir, 'www', `${fileOf(path)}.gz`), body);
const nginxPort = await freePort();
writeFileSync(
  join(dir, 'nginx.conf'),
  `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  types { text/html html; } default_type text/html; etag on; gzip_static on;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server { listen 127.0.0.1:${nginxPort}; root ${dir}/www; index index.html; } }`,
);
mkdirSync(join(dir, 'tmp'));

// The floor serves, for each path and encoding, the exact answer Candor's one process sent.
const floorAnswers: Record<string, string> = {};
for (const [i, { path, gzip }] of VARIANTS.entries()) {
  const file = join(dir, `floor-${i}`);
  writeFileSync(file, await rawAnswer(candor.url, path, gzip ? { 'accept-encoding': 'gzip' } : {}));
  floorAnswers[`${path} ${gzip ? 'gzip' : 'plain'}`] = file;
}
writeFileSync(join(dir, 'floor.json'), JSON.stringify(floorAnswers));
const floorPort = await freePort();
const floor = spawn(
  process.execPath,
  [new URL('./node-floor.ts', import.meta.url).pathname, join(dir, 'floor.json'), String(floorPort)],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
await new Promise((ok) => floor.once('message', ok));

const nginxBin = which('nginx') ? 'nginx' : '/usr/sbin/nginx';
const nginx = spawn(nginxBin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
await new Promise((ok) => setTimeout(ok, 500));
// The one worker answers; the master only watches it.
const nginxWorker = Number(readFileSync(`/proc/${nginx.pid}/task/${nginx.pid}/children`, 'utf8').trim().split(' ')[0]);

type Wrk = ReturnType<typeof wrk>;
const cpu = (runs: Wrk[]) => `${median(runs.map((w) => w.cpu)).toFixed(1)} µs of CPU per answer`;
const rps = (values: number[]) => `${median(values).toFixed(0)} req/s (${values.map((v) => v.toFixed(0)).join(', ')})`;

try {
  console.log(
    `wrk ${CONNECTIONS} connections, ${DURATION} s each, ${RUNS} rounds; nginx 1 worker, the node:net floor, Candor 1 and 2 processes`,
  );
  for (const { path, gzip } of VARIANTS) {
    const body = (gzip ? gzips : bodies).get(path)!;
    const asked: Record<string, string> = gzip ? { 'accept-encoding': 'gzip' } : {};
    const nginxBody = (await rawGet(`http://127.0.0.1:${nginxPort}${fileOf(path)}`, asked)).body;
    if (!nginxBody.equals(body))
      throw new Error(`nginx does not serve the same bytes for ${path} (${nginxBody.length} vs ${body.length})`);
    // Its links and page id come from its own address (another port), so only the answer is checked.
    const two = await fetch(candor2.url + path);
    if (two.status !== 200 || two.headers.get('x-cache') === null)
      throw new Error(`the two-process Candor did not answer ${path} from its cache`);
    const floorBody = await rawGet(`http://127.0.0.1:${floorPort}${path}`, asked);
    if (!floorBody.body.equals(body)) throw new Error(`the Node floor does not serve the same bytes for ${path}`);
    const runs = { nginx: [], floor: [], one: [], two: [] } as Record<'nginx' | 'floor' | 'one' | 'two', Wrk[]>;
    for (let run = 0; run < RUNS; run++) {
      runs.nginx.push(wrk(`http://127.0.0.1:${nginxPort}${fileOf(path)}`, gzip, nginxWorker));
      runs.floor.push(wrk(`http://127.0.0.1:${floorPort}${path}`, gzip, floor.pid));
      runs.one.push(wrk(candor.url + path, gzip, candor.pid));
      runs.two.push(wrk(candor2.url + path, gzip));
    }
    const [nginxRps, floorRps, oneRps, twoRps] = [runs.nginx, runs.floor, runs.one, runs.two].map((r) =>
      r.map((w) => w.rps),
    );
    console.log(`${path}${gzip ? ', gzip' : ''} (${body.length} bytes)`);
    console.log(`  nginx ${rps(nginxRps)}; ${cpu(runs.nginx)}`);
    console.log(
      `  node:net floor ${rps(floorRps)}: ratio ${(median(floorRps) / median(nginxRps)).toFixed(2)}x; ${cpu(runs.floor)}`,
    );
    console.log(
      `  candor, 1 process ${rps(oneRps)}: ratio ${(median(oneRps) / median(nginxRps)).toFixed(2)}x (target >= 0.90x), ${(median(oneRps) / median(floorRps)).toFixed(2)}x the floor; ${cpu(runs.one)}`,
    );
    console.log(
      `  candor, 2 processes ${rps(twoRps)}: ratio ${(median(twoRps) / median(nginxRps)).toFixed(2)}x, ${(median(twoRps) / median(oneRps)).toFixed(2)}x one process`,
    );
  }
} finally {
  nginx.kill('SIGTERM');
  floor.kill('SIGTERM');
  await candor2.stop();
  await candor.stop();
}
