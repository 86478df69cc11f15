// The fast front through the real server: a fresh cached read is written before node:http sees
// the connection, and reads byte for byte as node:http would write it; anything else (a miss, an
// admin page, a malformed or unusual request) is handed to node:http with its unread bytes, in
// order, and answered exactly as before. The metrics tell which of the two answered.
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUserWithToken, openIncidentAs } from './support/api.ts';
import { launchBrowser } from './support/browser.ts';
import { RawConnection } from './support/raw-http.ts';
import { startServer, type TestServer } from './support/server.ts';

const TOKEN = 'fast-front-metrics-token';
let server: TestServer;
let port: number;
let host: string;

beforeAll(async () => {
  server = await startServer({ env: { CANDOR_METRICS_TOKEN: TOKEN } });
  port = Number(new URL(server.url).port);
  host = `Host: 127.0.0.1:${port}\r\n`;
});
afterAll(async () => {
  await server?.stop();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}
const fastAnswers = () => metric('candor_fast_front_answers_total');

/** Warms the cache entry for `path` (as a browser asks for it). */
async function warm(path: string): Promise<void> {
  const first = await fetch(server.url + path, { headers: { 'accept-encoding': 'gzip' } });
  await first.arrayBuffer();
  expect(first.status).toBe(200);
}

const withoutDate = (head: string) => head.replace(/\r\nDate: [^\r]+/, '\r\nDate: -');

describe('the fast front', () => {
  test('answers a cached read itself, byte for byte as node:http answers it', async () => {
    for (const [path, extra] of [
      ['/api/v2/summary.json', ''],
      ['/', 'Accept-Encoding: gzip, deflate, br\r\n'],
    ]) {
      await warm(path);
      const before = await fastAnswers();
      const fresh = await RawConnection.open(port);
      fresh.write(`GET ${path} HTTP/1.1\r\n${host}${extra}\r\n`);
      const fast = await fresh.answer();
      expect(await fastAnswers()).toBe(before + 1);

      // A connection node:http already reads (it answered the admin's redirect) answers the same.
      const handed = await RawConnection.open(port);
      handed.write(`GET /admin HTTP/1.1\r\n${host}\r\n`);
      expect((await handed.answer()).status).toBe(302);
      handed.write(`GET ${path} HTTP/1.1\r\n${host}${extra}\r\n`);
      const viaNode = await handed.answer();
      expect(await fastAnswers()).toBe(before + 1);

      expect(fast.status).toBe(200);
      expect(fast.headers['x-cache']).toBe('hit');
      expect(withoutDate(fast.head)).toBe(withoutDate(viaNode.head));
      expect(fast.body.equals(viaNode.body)).toBe(true);
      expect(fast.headers.date).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
      if (extra) expect(fast.headers['content-encoding']).toBe('gzip');
      fresh.close();
      handed.close();
    }
  });

  test('a miss that takes no gzip is answered plain at once; the next reader gets the gzip copy of the same bytes', async () => {
    // Not read before in this file: the first request renders it.
    const plain = await fetch(server.url + '/history.atom', { headers: { 'accept-encoding': 'identity' } });
    const body = Buffer.from(await plain.arrayBuffer());
    expect(plain.headers.get('x-cache')).toBe('miss');
    expect(plain.headers.get('content-encoding')).toBeNull();
    const connection = await RawConnection.open(port);
    connection.write(`GET /history.atom HTTP/1.1\r\n${host}Accept-Encoding: gzip\r\n\r\n`);
    const zipped = await connection.answer();
    connection.close();
    expect(zipped.headers['x-cache']).toBe('hit');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.etag).toBe(plain.headers.get('etag'));
    expect(gunzipSync(zipped.body).equals(body)).toBe(true);
  });

  test('answers a live fragment version this instance has read; a future version goes to node:http', async () => {
    const state = (await (await fetch(`${server.url}/live/version.json`)).json()) as { v: number; status: string };
    await warm(`${state.status}?lang=de`);
    const before = await fastAnswers();
    const connection = await RawConnection.open(port);
    connection.write(`GET ${state.status}?lang=de HTTP/1.1\r\n${host}\r\n`);
    const fragment = await connection.answer();
    expect(fragment.status).toBe(200);
    expect(fragment.headers['cache-control']).toContain('immutable');
    expect(fragment.body.toString()).toContain('data-slot="banner"');
    expect(await fastAnswers()).toBe(before + 1);
    connection.write(`GET /live/${state.v + 1000}/status HTTP/1.1\r\n${host}\r\n`);
    expect((await connection.answer()).status).toBe(404);
    expect(await fastAnswers()).toBe(before + 1);
    connection.close();
  });

  test('pipelined requests are answered in order across the hand-over to node:http', async () => {
    await warm('/');
    await warm('/api/v2/status.json');
    const connection = await RawConnection.open(port);
    connection.write(
      `GET / HTTP/1.1\r\n${host}\r\n` +
        `GET /admin HTTP/1.1\r\n${host}\r\n` +
        `GET /api/v2/status.json HTTP/1.1\r\n${host}\r\n` +
        `HEAD / HTTP/1.1\r\n${host}\r\n`,
    );
    const page = await connection.answer();
    const admin = await connection.answer();
    const status = await connection.answer();
    const head = await connection.answer(true);
    expect([page.status, admin.status, status.status, head.status]).toEqual([200, 302, 200, 200]);
    expect(page.body.toString()).toContain('<html');
    expect(admin.headers.location).toBe('/admin/login?next=%2Fadmin');
    expect(JSON.parse(status.body.toString()).status.indicator).toBeTypeOf('string');
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(page.body.length);
    connection.close();
  });

  test('revalidation, HEAD, a head in pieces and Connection: close', async () => {
    await warm('/api/v2/summary.json');
    const connection = await RawConnection.open(port);
    connection.write(`GET /api/v2/summary.json HTTP/1.1\r\n${host}\r\n`);
    const full = await connection.answer();
    connection.write(`GET /api/v2/summary.json HTTP/1.1\r\n${host}If-None-Match: W/${full.headers.etag}\r\n\r\n`);
    const notModified = await connection.answer();
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(full.headers.etag);
    connection.write(`HEAD /api/v2/summary.json HTTP/1.1\r\n${host}\r\n`);
    const head = await connection.answer(true);
    expect(head.headers['content-length']).toBe(String(full.body.length));

    // A head that arrives in three packets is read when it is whole.
    const before = await fastAnswers();
    for (const piece of ['GET /api/v2/summ', `ary.json HTTP/1.1\r\n${host}`, 'Connection: close\r\n\r\n']) {
      connection.write(piece);
      await new Promise((ok) => setTimeout(ok, 30));
    }
    const last = await connection.answer();
    expect(last.body.equals(full.body)).toBe(true);
    expect(last.headers.connection).toBe('close');
    expect(await connection.closedByServer()).toBe(true);
    expect(await fastAnswers()).toBe(before + 1);
  });

  test('the Host check and node:http’s refusals stand for cached pages too', async () => {
    await warm('/');
    const ask = async (bytes: string) => {
      const connection = await RawConnection.open(port);
      connection.write(bytes);
      const answer = await connection.answer();
      connection.close();
      return answer;
    };
    const misdirected = await ask('GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n');
    expect(misdirected.status).toBe(421);
    expect(misdirected.body.toString()).not.toContain('<html');
    expect((await ask(`GET / HTTP/1.1\nHost: 127.0.0.1:${port}\n\n`)).status).toBe(400);
    expect(
      (await ask(`GET / HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`)).status,
    ).toBe(400);
    const absolute = await ask(`GET http://127.0.0.1:${port}/ HTTP/1.1\r\n${host}\r\n`);
    expect(absolute.status).toBe(400);
    expect(absolute.body.toString()).toContain('The request target must be a path starting with "/".');
  });

  test('opens live event streams on the socket, as node:http would, and they hear changes', async () => {
    const before = await fastAnswers();
    const fresh = await RawConnection.open(port);
    fresh.write(`GET /events HTTP/1.1\r\n${host}Accept: text/event-stream\r\n\r\n`);
    const fast = await fresh.until(/event: hello\ndata: [^\n]+\n\n\r\n/);
    expect(await fastAnswers()).toBe(before + 1);
    const handed = await RawConnection.open(port);
    handed.write(`GET /admin HTTP/1.1\r\n${host}\r\n`);
    expect((await handed.answer()).status).toBe(302);
    handed.write(`GET /events HTTP/1.1\r\n${host}Accept: text/event-stream\r\n\r\n`);
    const viaNode = (await handed.until(/HTTP\/1\.1 200[^]*event: hello\ndata: [^\n]+\n\n\r\n/)).replace(
      /^[^]*?(?=HTTP\/1\.1 200)/,
      '',
    );
    expect(await fastAnswers()).toBe(before + 1);
    expect(withoutDate(fast)).toBe(withoutDate(viaNode));
    expect(fast).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[^]*content-type: text\/event-stream[^]*Transfer-Encoding: chunked\r\n\r\n[0-9a-f]+\r\nretry: 2000\n/,
    );

    // A change reaches both streams as one chunk each.
    const { token } = createUserWithToken(server.dbFile, 'support');
    await openIncidentAs(server.url, token, { title: 'Fast front stream check' });
    for (const connection of [fresh, handed])
      expect(await connection.until(/\r\n[0-9a-f]+\r\nid: \d+\nevent: change\ndata: [^\n]+\n\n\r\n/)).toContain(
        'event: change',
      );
    // A viewer that leaves is let go at once (not at the next heartbeat, 20 s on).
    const viewers = await metric('candor_live_viewers');
    fresh.close();
    handed.close();
    await expect.poll(() => metric('candor_live_viewers'), { timeout: 2000 }).toBe(viewers - 2);
  });

  test('reads the requests of clients nobody here wrote: Python and Chromium', async () => {
    const path = '/api/v2/summary.json';
    await warm(path);
    let before = await fastAnswers();
    // Python's standard library asks with Connection: close and Accept-Encoding: identity.
    const python = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).headers["x-cache"])',
        server.url + path,
      ],
      { encoding: 'utf8' },
    );
    expect(python.stdout.trim(), python.stderr).toBe('hit');
    expect(await fastAnswers()).toBe(before + 1);
    // Chromium navigating: client hints, Upgrade-Insecure-Requests, Accept-Language, br and zstd.
    before = await fastAnswers();
    const browser = await launchBrowser();
    try {
      const response = await (await browser.newPage()).goto(server.url + path);
      expect(response?.headers()['x-cache']).toBe('hit');
      expect(response?.headers()['content-encoding']).toBe('gzip');
      // Its favicon request, if any, is not a cached read: node:http answers that one.
      expect(await fastAnswers()).toBe(before + 1);
    } finally {
      await browser.close();
    }
  });

  test('stopping ends connections the fast front still reads, and the server stops', async () => {
    const own = await startServer({});
    const ownPort = Number(new URL(own.url).port);
    await (await fetch(own.url + '/api/v2/status.json')).arrayBuffer();
    const connection = await RawConnection.open(ownPort);
    connection.write(`GET /api/v2/status.json HTTP/1.1\r\nHost: 127.0.0.1:${ownPort}\r\n\r\n`);
    expect((await connection.answer()).headers['x-cache']).toBe('hit');
    const stopped = own.stop();
    expect(await connection.closedByServer(3000)).toBe(true);
    await stopped;
  });
});
