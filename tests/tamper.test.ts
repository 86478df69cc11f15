// The pieces behind the tamper-proofing, alone: one link rule for every user-given URL, which Host
// values are answered, the cache key, and how many renders may run at once.
import { describe, expect, test } from 'vitest';
import { InputError } from '../src/domain/errors.ts';
import { actionItemSchema } from '../src/domain/rca/reviews.ts';
import { addWebhookSubscriber } from '../src/domain/subscribers.ts';
import { isHttpUrl, safeHref } from '../src/domain/urls.ts';
import { AllowedHosts, parseHost } from '../src/server/allowed-hosts.ts';
import { canonicalRequest } from '../src/server/cache-key.ts';
import { OverloadedError, RenderLimiter } from '../src/server/render-limiter.ts';
import { freshDb } from './support/db.ts';

const SCRIPT_LINKS = [
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  '//evil.example/x',
  '/relative',
  'http://',
  'ftp://example.com/',
];

describe('user-given links', () => {
  test('only absolute http(s) URLs with a host pass', () => {
    for (const bad of SCRIPT_LINKS) expect(isHttpUrl(bad), bad).toBe(false);
    for (const good of ['https://tickets.example.com/OPS-1', 'http://10.0.0.1:8080/hook?x=1'])
      expect(isHttpUrl(good)).toBe(true);
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://example.com/')).toBe('https://example.com/');
  });

  test('an action item ticket link and a webhook address are refused unless http(s)', async () => {
    const item = {
      title: 'Add a standby',
      owner: 'Sam',
      priority: 'p1',
      dueAt: '2026-12-31T00:00',
      category: 'prevent',
      status: 'open',
    };
    for (const bad of SCRIPT_LINKS) {
      const parsed = actionItemSchema.safeParse({ ...item, ticketUrl: bad });
      expect(parsed.success, bad).toBe(false);
    }
    expect(actionItemSchema.safeParse({ ...item, ticketUrl: '' }).success).toBe(true);
    expect(actionItemSchema.safeParse({ ...item, ticketUrl: 'https://tickets.example.com/1' }).success).toBe(true);
    const { db } = await freshDb();
    for (const bad of SCRIPT_LINKS) {
      await expect(addWebhookSubscriber(db, { url: bad }), bad).rejects.toBeInstanceOf(InputError);
    }
  });
});

describe('Host header', () => {
  test('only host names, IP literals and ports parse', () => {
    expect(parseHost('Status.Example.com')).toEqual({ hostname: 'status.example.com', port: '' });
    expect(parseHost('[::1]:4321')).toEqual({ hostname: '[::1]', port: '4321' });
    // Container names often hold underscores; CANDOR_ALLOWED_HOSTS may list them.
    expect(parseHost('candor_app:4321')).toEqual({ hostname: 'candor_app', port: '4321' });
    for (const bad of [
      'a b',
      'user@evil.example',
      'evil.example/x',
      'evil.example?x',
      '0x7f.1',
      '127.1',
      'x:99999',
      '',
      '%65vil.example',
      'evil.example#',
    ]) {
      expect(parseHost(bad), bad).toBeNull();
    }
  });

  test('PUBLIC_URL, loopback at the listening port and the listed hosts are answered', () => {
    const hosts = new AllowedHosts('https://status.example.com', 4321, 'lb.internal, 10.0.0.5:8080');
    for (const ok of [
      undefined,
      'status.example.com',
      'STATUS.example.com:443',
      'localhost:4321',
      '127.0.0.1:4321',
      '[::1]:4321',
      'lb.internal:1234',
      '10.0.0.5:8080',
    ]) {
      expect(hosts.check(ok).ok, String(ok)).toBe(true);
    }
    for (const no of [
      'status.example.com:80',
      'localhost:80',
      '127.0.0.1',
      'evil.example',
      '10.0.0.5:8081',
      'status.example.com.evil.example',
    ]) {
      expect(hosts.check(no), no).toMatchObject({ ok: false, status: 421 });
    }
    expect(hosts.check('a b')).toMatchObject({ ok: false, status: 400 });
    expect(() => new AllowedHosts('https://status.example.com', 4321, 'not a host')).toThrow(/CANDOR_ALLOWED_HOSTS/);
  });
});

describe('cache key', () => {
  // Pages are keyed on the visitor's language too ("en|…"): tests/i18n.test.ts checks that part.
  test('keeps only the parameters a route reads, in a fixed order', () => {
    expect(canonicalRequest('/', 'utm_source=x&_=1')).toEqual({ key: 'en|/', url: '/', searched: false });
    expect(canonicalRequest('/history', 'x=1&month=2026-10')).toEqual({
      key: 'en|/history?month=2026-10',
      url: '/history?month=2026-10',
      searched: false,
    });
    expect(canonicalRequest('/history/', 'month=2026-10&month=2026-09').key).toBe('en|/history?month=2026-10');
    expect(canonicalRequest('/badge.svg', 'label=up&junk=1&component=2').key).toBe('/badge.svg?component=2&label=up');
    expect(canonicalRequest('/badge.svg', `label=${'x'.repeat(100)}`).key).toBe(`/badge.svg?label=${'x'.repeat(40)}`);
    expect(canonicalRequest('//incidents/%31', 'a=1').key).toBe('en|/incidents/1');
  });
});

describe('render limiter', () => {
  test('never runs more than its limit at once, queues a bounded number and refuses the rest', async () => {
    const limiter = new RenderLimiter(2, 3);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const work = () =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((ok) => releases.push(ok));
        running--;
        return 'done';
      });
    const accepted = Array.from({ length: 5 }, work);
    await expect(work()).rejects.toBeInstanceOf(OverloadedError);
    expect(running).toBe(2);
    while (releases.length || running) {
      releases.shift()?.();
      await new Promise((ok) => setImmediate(ok));
    }
    expect(await Promise.all(accepted)).toEqual(Array(5).fill('done'));
    expect(peak).toBe(2);
  });
});
