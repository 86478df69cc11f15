// The client address behind proxies: only X-Forwarded-For entries that a trusted proxy appended
// are believed, counting from the socket peer, so a client cannot choose its own address by
// sending the header itself.
import { afterEach, describe, expect, test } from 'vitest';
import { clientIp, normalizeAddress, parseTrustProxy, resolveClientIp } from '../src/web/client-ip.ts';

const hops = (n: string) => parseTrustProxy(n);
const resolve = (trust: string | undefined, xff: string | null, peer: string | null) =>
  resolveClientIp(xff, peer, parseTrustProxy(trust));

describe('without TRUST_PROXY', () => {
  test('X-Forwarded-For is ignored and the peer is the client', () => {
    expect(resolve(undefined, '1.2.3.4', '203.0.113.9')).toBe('203.0.113.9');
    expect(resolve('', '1.2.3.4', '203.0.113.9')).toBe('203.0.113.9');
    expect(resolve('0', '1.2.3.4', '203.0.113.9')).toBe('203.0.113.9');
    expect(resolve(undefined, null, '::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(resolve(undefined, null, null)).toBe('unknown');
  });
});

describe('a number of proxies', () => {
  test('with one proxy, the entry it appended is the client, whatever the client put before it', () => {
    expect(resolve('1', '198.51.100.7', '10.0.0.2')).toBe('198.51.100.7');
    expect(resolve('1', '6.6.6.6, 198.51.100.7', '10.0.0.2')).toBe('198.51.100.7');
    expect(resolve('1', '6.6.6.6, 7.7.7.7,8.8.8.8 , 198.51.100.7', '10.0.0.2')).toBe('198.51.100.7');
  });

  test('with two proxies, the second entry from the right is the client', () => {
    // client → CDN (appends client) → load balancer (appends CDN) → Candor
    expect(resolve('2', '6.6.6.6, 198.51.100.7, 192.0.2.10', '10.0.0.2')).toBe('198.51.100.7');
    expect(resolve('2', '198.51.100.7, 192.0.2.10', '10.0.0.2')).toBe('198.51.100.7');
  });

  test('fewer entries than proxies: the farthest address known is used', () => {
    expect(resolve('2', '198.51.100.7', '10.0.0.2')).toBe('198.51.100.7');
    expect(resolve('1', null, '10.0.0.2')).toBe('10.0.0.2');
  });

  test('an entry that is not an address is not believed: the nearest good one to its right is used', () => {
    expect(resolve('1', 'unknown', '10.0.0.2')).toBe('10.0.0.2');
    expect(resolve('1', '198.51.100.7, ', '10.0.0.2')).toBe('10.0.0.2');
    expect(resolve('2', '<script>, 192.0.2.10', '10.0.0.2')).toBe('192.0.2.10');
    expect(resolve('2', '999.1.1.1, 192.0.2.10', '10.0.0.2')).toBe('192.0.2.10');
    expect(resolve('1', '1.2.3.4; drop table', '10.0.0.2')).toBe('10.0.0.2');
  });

  test('IPv6 entries, and IPv4-mapped peers as IPv4', () => {
    expect(resolve('1', '2001:DB8::1', '::ffff:127.0.0.1')).toBe('2001:db8::1');
    expect(resolve('1', '::ffff:198.51.100.7', '::1')).toBe('198.51.100.7');
    expect(resolve('1', '[2001:db8::1]:443', '::1')).toBe('2001:db8::1');
    expect(resolve('1', '198.51.100.7:5678', '::1')).toBe('198.51.100.7');
  });
});

describe('a list of proxy addresses', () => {
  const list = '10.0.0.0/8, 127.0.0.1, ::1, fd00::/8';

  test('the rightmost address that is not a trusted proxy is the client', () => {
    expect(resolve(list, '198.51.100.7', '10.0.0.2')).toBe('198.51.100.7');
    expect(resolve(list, '6.6.6.6, 198.51.100.7, 10.1.2.3', '10.0.0.2')).toBe('198.51.100.7');
    expect(resolve(list, '6.6.6.6, 198.51.100.7, fd12::1', '::1')).toBe('198.51.100.7');
  });

  test('a peer that is not a trusted proxy is the client, whatever it forwards', () => {
    expect(resolve(list, '10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
    expect(resolve(list, '127.0.0.1', '2001:db8::5')).toBe('2001:db8::5');
  });

  test('IPv4-mapped IPv6 matches the IPv4 ranges', () => {
    expect(resolve(list, '198.51.100.7', '::ffff:127.0.0.1')).toBe('198.51.100.7');
    expect(resolve(list, '198.51.100.7, ::ffff:10.9.9.9', '::ffff:10.0.0.2')).toBe('198.51.100.7');
  });

  test('when every address is a proxy, the farthest is used; garbage stops the walk', () => {
    expect(resolve(list, '10.1.1.1, 10.2.2.2', '127.0.0.1')).toBe('10.1.1.1');
    expect(resolve(list, '6.6.6.6, not-an-ip, 10.2.2.2', '127.0.0.1')).toBe('10.2.2.2');
    expect(resolve(list, 'garbage', '127.0.0.1')).toBe('127.0.0.1');
  });

  test('a setting that is neither a count nor addresses is refused, naming the bad entry', () => {
    expect(() => hops('true')).toThrow('TRUST_PROXY: "true" is not an IP address or CIDR range');
    expect(() => hops('10.0.0.0/33')).toThrow('"10.0.0.0/33"');
    expect(() => hops('10.0.0.0/8/8')).toThrow('"10.0.0.0/8/8"');
    expect(() => hops('::1/129')).toThrow('"::1/129"');
    expect(() => hops('10.0.0.0/8, proxy.internal')).toThrow('"proxy.internal"');
    expect(hops('10.0.0.0/8,').kind).toBe('addresses');
    expect(hops('2001:db8::/32').kind).toBe('addresses');
  });
});

describe('normalizeAddress', () => {
  test('keeps addresses, drops ports and brackets, and refuses anything else', () => {
    expect(normalizeAddress(' 198.51.100.7 ')).toBe('198.51.100.7');
    expect(normalizeAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('[::1]')).toBe('::1');
    for (const bad of ['', 'unknown', '1.2.3', '01.2.3.4', '1.2.3.4/8', '[1.2.3.4', 'example.com:80'])
      expect(normalizeAddress(bad)).toBeNull();
  });
});

describe('clientIp', () => {
  const saved = process.env.TRUST_PROXY;
  afterEach(() => {
    if (saved === undefined) delete process.env.TRUST_PROXY;
    else process.env.TRUST_PROXY = saved;
  });
  const request = (xff?: string) =>
    new Request('http://candor.test/admin/login', { headers: xff ? { 'x-forwarded-for': xff } : {} });

  test('reads TRUST_PROXY as it is now and the peer from the callback', () => {
    delete process.env.TRUST_PROXY;
    expect(clientIp(request('6.6.6.6'), () => '10.0.0.2')).toBe('10.0.0.2');
    process.env.TRUST_PROXY = '1';
    expect(clientIp(request('6.6.6.6, 198.51.100.7'), () => '10.0.0.2')).toBe('198.51.100.7');
    process.env.TRUST_PROXY = '203.0.113.0/24';
    expect(clientIp(request('198.51.100.7'), () => '10.0.0.2')).toBe('10.0.0.2');
    expect(
      clientIp(request('198.51.100.7'), () => {
        throw new Error('no socket');
      }),
    ).toBe('unknown');
  });
});
