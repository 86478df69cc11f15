// The SSRF guard on every call to a user-given URL, with real sockets: literal private, loopback,
// link-local (metadata) and unique-local addresses, names that resolve to them (through the
// system resolver and through a resolver the test controls, the DNS-rebinding case), redirects,
// https in production, the operator's allow-list, timeouts and the response size cap.
import http from 'node:http';
import type dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addressRefusal, parseAllowList, urlRefusal, type OutboundPolicy } from '../src/domain/outbound-rules.ts';
import { postOutbound } from '../src/server/outbound-http.ts';
import { postOutcome } from '../src/server/outbound-outcome.ts';

const open: OutboundPolicy = { httpsOnly: false, allow: [] };
const loopbackAllowed: OutboundPolicy = { httpsOnly: false, allow: parseAllowList('127.0.0.1/32') };

let hits = 0;
let port = 0;
const receiver = http.createServer((req, res) => {
  hits++;
  if (req.url === '/redirect') {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    return res.end();
  }
  if (req.url === '/silent') return; // never answers
  if (req.url === '/huge') {
    res.writeHead(200);
    return res.end('x'.repeat(1024 * 1024));
  }
  res.writeHead(200);
  res.end('ok');
});

beforeAll(async () => {
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  port = (receiver.address() as { port: number }).port;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((ok) => receiver.close(ok));
});

/** A resolver that answers chosen addresses for every name, as a hostile DNS server could. */
function resolverFor(...addresses: string[]): typeof dns.lookup {
  return ((_name: string, _options: unknown, callback: (e: null, a: dns.LookupAddress[]) => void) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    )) as unknown as typeof dns.lookup;
}

describe('which addresses are refused', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private network'],
    ['172.16.5.4', 'private network'],
    ['192.168.1.1', 'private network'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'unique-local'],
    ['fc00::5', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:10.0.0.1', 'private network'],
    ['::ffff:169.254.169.254', 'link-local'],
  ])('%s is refused as %s', (address, words) => {
    expect(addressRefusal(address, open)).toContain(words);
  });

  test('public addresses pass; the allow-list lets exactly its ranges through', () => {
    expect(addressRefusal('93.184.216.34', open)).toBeNull();
    expect(addressRefusal('2606:4700:4700::1111', open)).toBeNull();
    expect(addressRefusal('127.0.0.1', loopbackAllowed)).toBeNull();
    expect(addressRefusal('127.0.0.2', loopbackAllowed)).toContain('loopback');
    expect(addressRefusal('::ffff:127.0.0.1', loopbackAllowed)).toBeNull();
    expect(() => parseAllowList('10.0.0.0/8, nonsense')).toThrow(/"nonsense" is not an address or a CIDR range/);
  });

  test('URLs: literal hosts are judged as typed, https only in production, no credentials', () => {
    expect(urlRefusal('http://[::1]:8080/hook', open)).toContain('loopback');
    expect(urlRefusal('http://169.254.169.254/latest/meta-data/', open)).toContain('link-local');
    expect(urlRefusal('https://10.0.0.8/hook', open)).toContain('private network');
    expect(urlRefusal('http://hooks.example.com/x', { ...open, httpsOnly: true })).toContain('https://');
    expect(urlRefusal('https://hooks.example.com/x', { ...open, httpsOnly: true })).toBeNull();
    expect(urlRefusal('https://user:pw@hooks.example.com/x', open)).toContain('user name or password');
    expect(urlRefusal('ftp://hooks.example.com/x', open)).not.toBeNull();
  });
});

describe('calls', () => {
  test.each([
    ['127.0.0.1', () => `http://127.0.0.1:${port}/`],
    ['[::1]', () => `http://[::1]:${port}/`],
    ['10.x', () => 'http://10.255.255.1:9/'],
    ['169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/'],
  ])('to %s: refused before any connection, with the reason', async (_name, url) => {
    const before = hits;
    const result = await postOutbound(url(), '{}', {}, { policy: open });
    expect(result.kind).toBe('refused');
    expect(postOutcome(result, { chat: false })).toMatchObject({ kind: 'permanent' });
    expect(hits).toBe(before);
  });

  test('a name the system resolves to loopback (localhost) is refused at connect time', async () => {
    const before = hits;
    const result = await postOutbound(`http://localhost:${port}/`, '{}', {}, { policy: open });
    expect(result).toMatchObject({ kind: 'refused' });
    expect((result as { reason: string }).reason).toMatch(/localhost resolves to .*loopback/);
    expect(hits).toBe(before);
  });

  test('a name resolved to a private address by a hostile resolver is refused, even beside a public one', async () => {
    const before = hits;
    const only = await postOutbound(
      'http://hooks.example.test/',
      '{}',
      {},
      {
        policy: open,
        lookup: resolverFor('10.9.8.7'),
      },
    );
    expect(only).toMatchObject({ kind: 'refused' });
    expect((only as { reason: string }).reason).toContain('hooks.example.test resolves to 10.9.8.7');
    const mixed = await postOutbound(
      'http://hooks.example.test/',
      '{}',
      {},
      {
        policy: open,
        lookup: resolverFor('93.184.216.34', '169.254.169.254'),
      },
    );
    expect((mixed as { reason: string }).reason).toContain('169.254.169.254');
    expect(hits).toBe(before);
  });

  test('the address connected to is the one checked: a name resolved to an allowed address reaches it', async () => {
    const before = hits;
    const result = await postOutbound(
      `http://receiver.example.test:${port}/`,
      '{}',
      {},
      {
        policy: loopbackAllowed,
        lookup: resolverFor('127.0.0.1'),
      },
    );
    expect(result).toMatchObject({ kind: 'response', status: 200, body: 'ok' });
    expect(hits).toBe(before + 1);
  });

  test('a redirect (here to the metadata service) is not followed and fails with the reason', async () => {
    const before = hits;
    const result = await postOutbound(`http://127.0.0.1:${port}/redirect`, '{}', {}, { policy: loopbackAllowed });
    expect(result).toMatchObject({ kind: 'response', status: 302 });
    const outcome = postOutcome(result, { chat: false });
    expect(outcome.kind).toBe('permanent');
    expect((outcome as { message: string }).message).toMatch(
      /302, a redirect to http:\/\/169\.254\.169\.254.*no redirects/,
    );
    expect(hits).toBe(before + 1);
  });

  test('an endpoint that never answers ends at the total timeout; a huge answer is cut at the cap', async () => {
    const started = Date.now();
    const silent = await postOutbound(
      `http://127.0.0.1:${port}/silent`,
      '{}',
      {},
      {
        policy: loopbackAllowed,
        totalTimeoutMs: 300,
      },
    );
    expect(silent).toMatchObject({ kind: 'error' });
    expect((silent as { message: string }).message).toContain('No complete answer within 0.3 s');
    expect(Date.now() - started).toBeLessThan(3000);
    const huge = await postOutbound(
      `http://127.0.0.1:${port}/huge`,
      '{}',
      {},
      {
        policy: loopbackAllowed,
        maxResponseBytes: 1000,
      },
    );
    expect(huge).toMatchObject({ kind: 'response', status: 200, truncated: true });
    expect((huge as { body: string }).body).toHaveLength(1000);
  });

  test('https only in production: an http URL is refused without a call', async () => {
    const before = hits;
    const result = await postOutbound(
      `http://127.0.0.1:${port}/`,
      '{}',
      {},
      {
        policy: { ...loopbackAllowed, httpsOnly: true },
      },
    );
    expect(result).toMatchObject({ kind: 'refused' });
    expect(hits).toBe(before);
  });
});
