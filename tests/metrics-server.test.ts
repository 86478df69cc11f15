// /metrics is read by the real Prometheus server (Debian's), which scrapes it with the bearer
// token, and checked by promtool; the figures it holds are the ones the test caused: pages served
// and cached, a live reader, failed logins, deliveries sent and a provider's 429.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents, type EventStream } from './support/events.ts';
import { freePort } from './support/ports.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { addConfirmedSubscribers, mailEnv, waitFor } from './support/subscribers.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';
let server: TestServer;
let mock: ResendMock;
let stream: EventStream;
let prometheus: ChildProcess | null = null;

beforeAll(async () => {
  // One request a second: the fan-out meets a 429 once the worker has more than one batch.
  mock = new ResendMock({ requestsPerSecond: 1 });
  await mock.start();
  const dbFile = tempDbFile();
  server = await startServer({ dbFile, env: mailEnv(mock, { CANDOR_SEED: '0', CANDOR_METRICS_TOKEN: TOKEN }) });
  const { token } = createUserWithToken(dbFile, 'support', 'ops@example.com');
  await addConfirmedSubscribers(dbFile, 250);
  const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
    title: 'Counted',
    impact: 'minor',
    message: 'Counting.',
  });
  expect(opened.status).toBe(201);
  await waitFor('the fan-out sent', async () => mock.acceptedCount === 250, 30_000);
  for (let i = 0; i < 3; i++) await fetch(server.url + '/');
  for (const password of ['wrong-1', 'wrong-2']) {
    await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ email: 'ops@example.com', password }).toString(),
      redirect: 'manual',
    });
  }
  stream = await openEvents(server.url);
  await stream.until(/event: hello/);
}, 60_000);

afterAll(async () => {
  stream?.close();
  prometheus?.kill('SIGTERM');
  await server?.stop();
  await mock?.stop();
});

async function scrape(token: string | null) {
  const response = await fetch(server.url + '/metrics', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  if (!line) throw new Error(`no series ${series} in:\n${text.slice(0, 3000)}`);
  return Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  test('only with the token; the exposition holds what happened', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('not-the-token')).status).toBe(401);
    const { status, type, text } = await scrape(TOKEN);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(text, 'candor_http_requests_total{route="public",status="200"}')).toBeGreaterThanOrEqual(3);
    expect(value(text, 'candor_page_cache_requests_total{result="hit"}')).toBeGreaterThanOrEqual(2);
    expect(value(text, 'candor_page_cache_requests_total{result="miss"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'candor_live_viewers')).toBe(1);
    expect(value(text, 'candor_change_feed_lag_seconds')).toBeLessThan(5);
    expect(value(text, 'candor_deliveries_total{channel="email",outcome="sent"}')).toBe(250);
    expect(value(text, 'candor_provider_rate_limited_total{channel="email"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'candor_login_failures_total{outcome="failed"}')).toBe(2);
    expect(value(text, 'candor_render_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^candor_process_resident_memory_bytes \d+/m);
  });

  test('promtool finds no problems in it', async () => {
    const { text } = await scrape(TOKEN);
    const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  test('the real Prometheus scrapes it with the token and can query it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'candor-prom-'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: candor',
        '    authorization:',
        `      credentials: ${TOKEN}`,
        '    static_configs:',
        `      - targets: ['${new URL(server.url).host}']`,
      ].join('\n'),
    );
    prometheus = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const query = async (q: string) => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => null);
      if (!r?.ok) return [];
      const body = (await r.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.data.result;
    };
    const up = await waitFor(
      'Prometheus scraping Candor',
      async () => {
        const result = await query('up{job="candor"}');
        return result.length > 0 && result[0].value[1] === '1' && result;
      },
      30_000,
    );
    expect(up[0].value[1]).toBe('1');
    const sent = await waitFor(
      'the deliveries series',
      async () => {
        const result = await query('candor_deliveries_total{outcome="sent"}');
        return result.length > 0 && result;
      },
      15_000,
    );
    expect(sent[0].metric.channel).toBe('email');
    expect(sent[0].value[1]).toBe('250');
    const viewers = await query('candor_live_viewers');
    expect(viewers[0].value[1]).toBe('1');
  });
});
