// The address a request came from, for rate limits. Behind reverse proxies the socket peer is the
// nearest proxy, and each proxy appends the address it saw to X-Forwarded-For; only entries that
// a trusted proxy appended can be believed, and those are the rightmost ones (anything to their
// left came from the client and may be forged). TRUST_PROXY says which proxies to trust.
import { BlockList, isIP } from 'node:net';

/** How far X-Forwarded-For is believed: not at all, a fixed number of proxies, or proxies by address. */
export type ProxyTrust = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; list: BlockList };

const ACCEPTED =
  'a number of proxies (e.g. 1) or a comma-separated list of proxy addresses and CIDR ranges (e.g. 10.0.0.0/8,127.0.0.1,::1)';

/**
 * Reads TRUST_PROXY: unset, empty or `0` trusts no proxy; a whole number is how many proxies
 * stand in front of Candor; otherwise a list of proxy addresses and CIDR ranges (IPv4 and IPv6).
 * Throws on anything else: a typo must not silently trust the wrong hops.
 */
export function parseTrustProxy(value: string | undefined): ProxyTrust {
  const text = value?.trim() ?? '';
  if (text === '' || text === '0') return { kind: 'none' };
  if (/^\d+$/.test(text)) return { kind: 'hops', hops: Number(text) };
  const list = new BlockList();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= bits))
    ) {
      throw new Error(`TRUST_PROXY: "${entry}" is not an IP address or CIDR range; use ${ACCEPTED}.`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return { kind: 'addresses', list };
}

/**
 * One X-Forwarded-For entry or peer address as a plain IP, or null when it is not one. Ports
 * (`1.2.3.4:5678`, `[::1]:443`) and brackets are dropped, and IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`, how a dual-stack socket reports IPv4 peers) becomes IPv4, so one client
 * always gets one rate-limit key.
 */
export function normalizeAddress(raw: string): string | null {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.indexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) text = mapped[1];
  const family = isIP(text);
  if (family === 0) return null;
  return family === 6 ? text.toLowerCase() : text;
}

/**
 * The client address from the X-Forwarded-For header and the socket peer: walking from the
 * peer leftwards, the first address that is not a trusted proxy. An entry that is not an address
 * stops the walk (nothing left of it can be believed), and the last good address is used.
 */
export function resolveClientIp(forwardedFor: string | null, peer: string | null, trust: ProxyTrust): string {
  const peerAddress = peer === null ? null : normalizeAddress(peer);
  if (trust.kind === 'none') return peerAddress ?? peer ?? 'unknown';
  // Nearest first: the peer, then X-Forwarded-For from right to left.
  const hops = [peer ?? '', ...(forwardedFor ? forwardedFor.split(',').reverse() : [])];
  let last: string | null = null;
  for (let i = 0; i < hops.length; i++) {
    const address = normalizeAddress(hops[i]);
    if (address === null) break;
    last = address;
    const trusted =
      trust.kind === 'hops' ? i < trust.hops : trust.list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
    if (!trusted) return address;
  }
  // Every address was a proxy (or the walk hit garbage): the farthest good one is the best we know.
  return last ?? peer ?? 'unknown';
}

let cached: { value: string | undefined; trust: ProxyTrust } | undefined;

function proxyTrust(): ProxyTrust {
  const value = process.env.TRUST_PROXY;
  if (!cached || cached.value !== value) cached = { value, trust: parseTrustProxy(value) };
  return cached.trust;
}

/**
 * The client address of `request`. `clientAddress` must give the socket peer: Astro does so
 * while `security.allowedDomains` is unset; once set, Astro itself would take the (forgeable)
 * leftmost X-Forwarded-For entry, and this function would have to read the socket instead.
 */
export function clientIp(request: Request, clientAddress: () => string): string {
  let peer: string | null;
  try {
    peer = clientAddress();
  } catch {
    peer = null;
  }
  return resolveClientIp(request.headers.get('x-forwarded-for'), peer, proxyTrust());
}

/** The client address from a raw X-Forwarded-For header and socket peer (the front server's view). */
export function clientIpFrom(forwardedFor: string | string[] | undefined, peer: string | undefined): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? null);
  return resolveClientIp(header, peer ?? null, proxyTrust());
}
