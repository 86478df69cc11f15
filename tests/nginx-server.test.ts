// The README's production nginx configuration, run for real: the block between the nginx-config
// markers is taken from the README as written (only ports and certificate paths are put in), two
// instances run behind it with TLS from a self-signed certificate, and a live update arrives
// through it; when one instance stops, readers and pages carry on through the other.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUserWithToken } from './support/api.ts';
import { freePort } from './support/ports.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { waitFor } from './support/subscribers.ts';

const README = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
const NAME = 'status.example.com';

function documentedConfig(): string {
  const section = /<!-- nginx-config -->\s*```nginx\n([\s\S]*?)```\s*<!-- \/nginx-config -->/.exec(README);
  if (!section) throw new Error('README has no nginx block between the nginx-config markers');
  return section[1];
}

let dir: string;
let cert: string;
let nginx: ChildProcess;
let httpsPort: number;
let httpPort: number;
const servers: TestServer[] = [];
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candor-nginx-'));
  cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${NAME}`,
      '-addext',
      `subjectAltName=DNS:${NAME}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const dbFile = tempDbFile();
  const ports = [await freePort(), await freePort()];
  for (const port of ports) {
    servers.push(
      await startServer({
        dbFile,
        env: { PORT: String(port), PUBLIC_URL: `https://${NAME}`, TRUST_PROXY: '1', CANDOR_POLL_MS: '100' },
      }),
    );
  }
  token = createUserWithToken(dbFile, 'support').token;
  [httpsPort, httpPort] = [await freePort(), await freePort()];
  const block = documentedConfig()
    .replace('127.0.0.1:4321', `127.0.0.1:${ports[0]}`)
    .replace('127.0.0.1:4322', `127.0.0.1:${ports[1]}`)
    .replace(/listen 80;/, `listen 127.0.0.1:${httpPort};`)
    .replace(/listen 443 ssl/, `listen 127.0.0.1:${httpsPort} ssl`)
    .replace(/ssl_certificate \S+;/, `ssl_certificate ${cert};`)
    .replace(/ssl_certificate_key \S+;/, `ssl_certificate_key ${key};`);
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log; user root;
events {}
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
${block}
}`,
  );
  execFileSync('/usr/sbin/nginx', ['-t', '-q', '-c', join(dir, 'nginx.conf'), '-p', dir]);
  nginx = spawn('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  await waitFor('nginx listening', async () => (await get('/healthz').catch(() => null))?.status === 200, 10_000);
}, 60_000);

afterAll(async () => {
  nginx?.kill('SIGTERM');
  for (const s of servers) await s.stop();
});

/** A request through nginx over TLS, as a browser asking for status.example.com would send it. */
function request(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return https.request({
    host: '127.0.0.1',
    port: httpsPort,
    servername: NAME,
    ca: readFileSync(cert),
    method,
    path,
    headers: { host: NAME, ...headers },
  });
}

function get(path: string, headers: Record<string, string> = {}, body?: string, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((ok, fail) => {
    const req = request(method, path, body, headers);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** /events through nginx: every byte as it arrives. */
function events() {
  let text = '';
  const req = request('GET', '/events');
  req.on('response', (res) => res.on('data', (d) => (text += d)));
  req.end();
  return {
    get text() {
      return text;
    },
    close: () => req.destroy(),
  };
}

test('pages, TLS and the redirect work as documented, and links name the public address', async () => {
  const page = await get('/');
  expect(page.status).toBe(200);
  expect(page.text).toContain('<title>Example Cloud status</title>');
  // Feeds carry absolute links: they start with PUBLIC_URL, whatever address nginx reached.
  const feed = await get('/history.atom');
  expect(feed.status).toBe(200);
  expect(feed.text).toContain(`<link rel="self" type="application/atom+xml" href="https://${NAME}/history.atom"/>`);
  const plain = await new Promise<http.IncomingMessage>((ok) =>
    http.get({ host: '127.0.0.1', port: httpPort, path: '/history', headers: { host: NAME } }, ok),
  );
  expect(plain.statusCode).toBe(301);
  expect(plain.headers.location).toBe(`https://${NAME}/history`);
});

test('a live update arrives through nginx as it happens, and its fragment is served through it', async () => {
  const stream = events();
  await waitFor('hello through nginx', () => /event: hello/.test(stream.text), 10_000);
  const opened = await get(
    '/api/v1/incidents',
    { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    JSON.stringify({ title: 'Through the proxy', impact: 'minor', message: 'Seen through nginx.' }),
    'POST',
  );
  expect(opened.status, opened.text).toBe(201);
  const change = await waitFor(
    'the change through nginx',
    () => /event: change\ndata: (.*)\n/.exec(stream.text),
    5_000,
  );
  const state = JSON.parse(change[1]) as { status: string };
  const fragment = await get(state.status);
  expect(fragment.status).toBe(200);
  expect(fragment.text).toContain('Through the proxy');
  stream.close();
});

test('one instance stops: readers reconnect to the other and every page keeps answering', async () => {
  const stream = events();
  await waitFor('hello', () => /event: hello/.test(stream.text), 10_000);
  const stopping = servers[0].stop();
  const answers: number[] = [];
  for (let i = 0; i < 20; i++) answers.push((await get('/')).status);
  await stopping;
  for (let i = 0; i < 10; i++) answers.push((await get('/')).status);
  expect(answers.filter((s) => s !== 200)).toEqual([]);
  // A reader on the stopped instance was told to come back; it reaches the other through nginx.
  const again = events();
  await waitFor('hello from the instance still running', () => /event: hello/.test(again.text), 10_000);
  again.close();
  stream.close();
});
