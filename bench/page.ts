// The public read path: requests per second for `/` from Candor's front server against nginx serving
// the same bytes as a static file, measured in the same run with wrk (50 connections, 10 s each).
// Both servers run one worker process, on the same loopback, one after the other.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../tests/support/ports.ts';
import { startServer } from '../tests/support/server.ts';

const DURATION = process.env.BENCH_SECONDS ?? '10';
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

function wrk(url: string): number {
  const out = execFileSync('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${DURATION}s`, url], { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`could not read wrk output:\n${out}`);
  if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  return Number(rps[1]);
}

const candor = await startServer({ env: { CANDOR_POLL_MS: '250' } });
const body = Buffer.from(await (await fetch(candor.url + '/')).arrayBuffer());

const dir = mkdtempSync(join(tmpdir(), 'candor-bench-'));
// nginx's workers run as an unprivileged user: they must be able to read the page.
chmodSync(dir, 0o755);
mkdirSync(join(dir, 'www'), { mode: 0o755 });
writeFileSync(join(dir, 'www/index.html'), body);
const nginxPort = await freePort();
writeFileSync(
  join(dir, 'nginx.conf'),
  `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  types { text/html html; } default_type text/html; etag on;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server { listen 127.0.0.1:${nginxPort}; root ${dir}/www; index index.html; } }`,
);
mkdirSync(join(dir, 'tmp'));
const nginxBin = which('nginx') ? 'nginx' : '/usr/sbin/nginx';
const nginx = spawn(nginxBin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
await new Promise((ok) => setTimeout(ok, 500));

try {
  const nginxBody = Buffer.from(await (await fetch(`http://127.0.0.1:${nginxPort}/`)).arrayBuffer());
  if (!nginxBody.equals(body)) throw new Error(`nginx does not serve the same bytes (${nginxBody.length} vs ${body.length}): ${nginxBody.subarray(0, 200)}`);
  console.log(`page: / (${body.length} bytes), wrk ${CONNECTIONS} connections, ${DURATION} s each, one worker process each`);
  const nginxRps = wrk(`http://127.0.0.1:${nginxPort}/`);
  console.log(`nginx static file: ${nginxRps.toFixed(0)} req/s`);
  const candorRps = wrk(candor.url + '/');
  console.log(`candor /:          ${candorRps.toFixed(0)} req/s`);
  console.log(`ratio candor/nginx: ${(candorRps / nginxRps).toFixed(2)}x (target >= 0.80x)`);
} finally {
  nginx.kill('SIGTERM');
  await candor.stop();
}
