// Which addresses Candor may call on a user's behalf (staff webhooks, chat webhooks). Only public
// unicast addresses: loopback, private, link-local (the cloud metadata service at 169.254.169.254),
// carrier-grade NAT, unique-local, IPv4-mapped IPv6 of those and every other special range are
// refused, unless the operator lists them in CANDOR_OUTBOUND_ALLOW. The same rule is applied when a
// URL is typed (to a literal address) and at connect time to every address a name resolves to.
import ipaddr from 'ipaddr.js';
import { publicUrlIsHttps } from './public-url.ts';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface OutboundPolicy {
  /** Production (an https:// PUBLIC_URL): user-given URLs must be https too. */
  httpsOnly: boolean;
  /** Ranges the operator allows although they are not public (tests, private deployments). */
  allow: Cidr[];
}

/** Parses `CANDOR_OUTBOUND_ALLOW`: comma-separated addresses or CIDR ranges, IPv4 or IPv6. */
export function parseAllowList(value: string | undefined): Cidr[] {
  const entries = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    if (ipaddr.isValidCIDR(entry)) return ipaddr.parseCIDR(entry);
    if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128] as Cidr;
    }
    throw new Error(
      `CANDOR_OUTBOUND_ALLOW: "${entry}" is not an address or a CIDR range (examples: 127.0.0.1/32, 10.0.0.0/8, ::1).`,
    );
  });
}

/** The policy from the environment: https only when PUBLIC_URL is https, plus the allow-list. */
export function outboundPolicy(env: NodeJS.ProcessEnv = process.env): OutboundPolicy {
  return { httpsOnly: publicUrlIsHttps(), allow: parseAllowList(env.CANDOR_OUTBOUND_ALLOW) };
}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private network address',
  linkLocal: 'a link-local address (where cloud metadata services such as 169.254.169.254 live)',
  carrierGradeNat: 'a carrier-grade NAT address',
  uniqueLocal: 'a unique-local IPv6 address (a private network)',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/**
 * Why Candor must not connect to `address` (an IP literal), or null when it may. IPv4-mapped IPv6
 * (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
 */
export function addressRefusal(address: string, policy: Pick<OutboundPolicy, 'allow'>): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const ip = ipaddr.process(address);
  if (policy.allow.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits))) return null;
  const range = ip.range();
  if (range === 'unicast') return null;
  return `${ip.toString()} is ${RANGE_WORDS[range] ?? `a reserved address (${range})`}, and Candor does not call those on a user's behalf`;
}

/** The host of a URL as an IP literal (brackets of IPv6 removed), or null when it is a name. */
export function literalHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(host) ? host : null;
}

/**
 * Why a user-given URL cannot be called, judged from the URL alone (names are judged again at
 * connect time, against what they resolve to then), or null when it can.
 */
export function urlRefusal(value: string, policy: OutboundPolicy): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a web address starting with https://';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be a web address starting with https://';
  if (policy.httpsOnly && url.protocol !== 'https:')
    return 'must start with https:// (this page only calls encrypted addresses)';
  if (url.username || url.password) return 'must not contain a user name or password';
  const literal = literalHost(url);
  if (literal) {
    const refusal = addressRefusal(literal, policy);
    if (refusal) return `cannot be used: ${refusal}`;
  }
  return null;
}
