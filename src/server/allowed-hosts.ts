// Which Host headers Candor answers: PUBLIC_URL's host, the loopback names at the listening port,
// and the hosts listed in CANDOR_ALLOWED_HOSTS. Anything else (a malformed value, another site's
// name pointed here, a DNS-rebinding page) gets a 4xx before any page is rendered or cached.

export type HostVerdict = { ok: true } | { ok: false; status: 400 | 421; message: string };

interface HostRule {
  hostname: string;
  /** null: any port. */
  port: string | null;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** Splits a Host value into a lower-case hostname and port, or null when it is not a valid host. */
export function parseHost(value: string): { hostname: string; port: string } | null {
  // Only the characters a host name, an IPv4 or a bracketed IPv6 literal and a port can hold: no
  // user info, path, space or percent-escape can slip through the URL parser's repairs.
  if (!/^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return null;
  }
  if (url.host !== value.toLowerCase().replace(/:80$/, '')) return null;
  const port = /:(\d+)$/.exec(value)?.[1] ?? '';
  return { hostname: url.hostname, port };
}

function ruleFrom(entry: string): HostRule | null {
  const trimmed = entry.trim();
  if (!trimmed) return null;
  const parsed = parseHost(trimmed);
  if (!parsed)
    throw new Error(
      `CANDOR_ALLOWED_HOSTS: "${trimmed}" is not a host name (write e.g. status.example.com or 10.0.0.5:4321).`,
    );
  return { hostname: parsed.hostname, port: parsed.port || null };
}

/** Verdicts remembered per Host value: the few legitimate ones are asked on every request. */
const MAX_REMEMBERED = 64;

export class AllowedHosts {
  readonly #rules: HostRule[];
  readonly #seen = new Map<string, HostVerdict>();

  /** `extra` is CANDOR_ALLOWED_HOSTS: comma-separated hosts, each with an optional port. */
  constructor(publicUrl: string, listenPort: number, extra = '') {
    const url = new URL(publicUrl);
    const defaultPort = url.protocol === 'https:' ? '443' : '80';
    this.#rules = [
      // A proxy in front may pass the Host on as the browser sent it, with or without the port.
      { hostname: url.hostname, port: url.port || defaultPort },
      { hostname: url.hostname, port: '' },
      ...LOOPBACK.map((hostname) => ({ hostname, port: String(listenPort) })),
      ...extra.split(',').flatMap((entry) => ruleFrom(entry) ?? []),
    ];
  }

  check(host: string | undefined): HostVerdict {
    // HTTP/1.0 clients may send no Host at all; Node refuses HTTP/1.1 requests without one.
    if (host === undefined) return { ok: true };
    let verdict = this.#seen.get(host);
    if (!verdict) {
      verdict = this.#judge(host);
      // Only a bounded number: a stranger cycling through names must not grow this map.
      if (this.#seen.size < MAX_REMEMBERED) this.#seen.set(host, verdict);
    }
    return verdict;
  }

  #judge(host: string): HostVerdict {
    const parsed = parseHost(host);
    if (!parsed) return { ok: false, status: 400, message: 'The Host header is not a valid host name.' };
    const allowed = this.#rules.some(
      (r) => r.hostname === parsed.hostname && (r.port === null || r.port === parsed.port),
    );
    if (allowed) return { ok: true };
    return {
      ok: false,
      status: 421,
      message: `This server does not answer for "${parsed.hostname}". Its address is PUBLIC_URL; other names must be listed in CANDOR_ALLOWED_HOSTS.`,
    };
  }
}
