// Whether the shared page cache (and the fast front, which answers from it) may answer a request,
// now that some readers see more than the public (issue 20). The cache holds only what the
// public sees; a request that may come from an audience's viewer is rendered for it alone and
// answered `private, no-store`, so neither this cache nor one in front of it keeps it. It is
// decided from what the request carries and what is configured, never from a raw cookie's value:
//   - a viewer cookie (candor_viewer) may admit the request to audiences;
//   - with the whole site private, nothing is for the public;
//   - a client address inside an audience's IP allowlist is admitted without signing in.
// The configuration is read at start and again at every `structure` change on the change feed.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { addAllowlist } from '../domain/audiences/admission.ts';
import { VIEWER_COOKIE } from '../domain/audiences/viewer.ts';
import { loadSiteSettings } from '../domain/site-settings.ts';
import { parseTrustProxy, resolveClientIp, type ProxyTrust } from '../web/client-ip.ts';
import type { CapturedPage } from './capture.ts';

/** What a viewer's answer says to every cache: keep nothing, and it depends on the cookie. */
export const VIEWER_CACHE_CONTROL = 'private, no-store';

const VIEWER_COOKIE_PATTERN = new RegExp(`(?:^|;)\\s*${VIEWER_COOKIE}=`);

/** Whether a Cookie header carries the viewer cookie (whatever its value: the middleware judges it). */
export function carriesViewerCookie(cookie: string | undefined): boolean {
  return cookie !== undefined && VIEWER_COOKIE_PATTERN.test(cookie);
}

/** Every audience's IP allowlist as one list (the stored form admission reads); null when none has any. */
export function allowlistOf(lists: readonly string[]): BlockList | null {
  const list = new BlockList();
  let any = false;
  for (const json of lists) any = addAllowlist(list, json) || any;
  return any ? list : null;
}

export class ViewerGate {
  #privateSite = false;
  #allowlist: BlockList | null = null;
  #audiences = false;
  readonly #trust: ProxyTrust;

  constructor(trust: ProxyTrust = parseTrustProxy(process.env.TRUST_PROXY)) {
    this.#trust = trust;
  }

  /** Reads the switch, the allowlists and whether anything is given to audiences. */
  async load(db: DbOrTx): Promise<void> {
    const [settings, lists, [given]] = await Promise.all([
      loadSiteSettings(db),
      db.all<{ ip_allowlist: string }>(sql`SELECT ip_allowlist FROM audiences WHERE ip_allowlist <> '[]'`),
      db.all<{ given: number }>(
        sql`SELECT (EXISTS (SELECT 1 FROM component_audiences) OR EXISTS (SELECT 1 FROM group_audiences)) AS given`,
      ),
    ]);
    this.#privateSite = settings.privateSite;
    this.#allowlist = allowlistOf(lists.map((l) => l.ip_allowlist));
    this.#audiences = Boolean(Number(given?.given ?? 0));
  }

  /** Whether the whole-site switch is on, as last read. */
  get privateSite(): boolean {
    return this.#privateSite;
  }

  /** Whether some component or group is given to audiences (some reader sees what another does not). */
  get audiencesInUse(): boolean {
    return this.#audiences;
  }

  /**
   * Whether the shared cache may answer (and store) a request: not a viewer's, with the viewer
   * cookie or from an address in an audience's allowlist (as TRUST_PROXY resolves it from the
   * socket's peer and X-Forwarded-For), and nothing on a private site. The fast front asks with
   * what it read of the head; node:http with the parsed request.
   */
  sharedMayFor(cookie: string | undefined, forwardedFor: string | undefined, peer: string | undefined): boolean {
    if (this.#privateSite || carriesViewerCookie(cookie)) return false;
    if (this.#allowlist === null) return true;
    const address = resolveClientIp(forwardedFor ?? null, peer ?? null, this.#trust);
    const family = isIP(address);
    return family === 0 || !this.#allowlist.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** sharedMayFor a request node:http parsed (a repeated X-Forwarded-For arrives joined). */
  sharedMay(req: IncomingMessage): boolean {
    const forwarded = req.headers['x-forwarded-for'];
    return this.sharedMayFor(
      req.headers.cookie,
      typeof forwarded === 'string' ? forwarded : undefined,
      req.socket.remoteAddress,
    );
  }
}

/**
 * Writes a page rendered for one viewer: `private, no-store` (or the page's own `no-store`) and
 * `Vary: Cookie`, so no cache on the way keeps it or hands it to anyone else. `extra` are the
 * security headers.
 */
export function writeForViewer(
  req: IncomingMessage,
  res: ServerResponse,
  page: CapturedPage,
  extra: OutgoingHttpHeaders,
): void {
  const vary = [page.headers.vary, 'Cookie']
    .filter((v) => v !== undefined && v !== '')
    .map(String)
    .join(', ');
  // A page that already forbids every cache (a sign-in redirect) keeps its word; any other is private.
  const own = String(page.headers['cache-control'] ?? '');
  const headers: OutgoingHttpHeaders = {
    ...page.headers,
    ...extra,
    'cache-control': /\bno-store\b/.test(own) && !/\bpublic\b/.test(own) ? own : VIEWER_CACHE_CONTROL,
    vary: [...new Set(vary.split(/,\s*/))].join(', '),
    'x-cache': 'private',
  };
  delete headers.etag;
  res.writeHead(page.status, headers);
  res.end(req.method === 'HEAD' ? undefined : page.body);
}
