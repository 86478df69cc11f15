// Versioned fragments of the status page's live part, so a change reaches thousands of open pages
// without each fetching the whole page. After every change the front server renders the two
// fragments once (status: banner, incidents, maintenance, states; uptime: the 90-day bars) and
// compares them with the last ones. A fragment that changed gets a new URL, /live/<change id>/<name>,
// and the change event names the current URL of each. URLs are versioned by the shared change
// feed's id, so any instance can answer any of them (it catches up with the feed first), and they
// are immutable: a CDN fetches each version from the origin once. /live/version.json names the
// same URLs for readers whose proxies cut event streams; they poll it with ETags.
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { etagMatches } from './page-cache.ts';

export const LIVE_PREFIX = '/live/';
export const LIVE_VERSION_PATH = '/live/version.json';
/** A version's content never changes meaning, so caches may keep it for good. */
export const FRAGMENT_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Pollers revalidate every time (a 304 costs a few bytes); a CDN may answer for a few seconds. */
const VERSION_CACHE_CONTROL = 'public, max-age=0, s-maxage=2, must-revalidate';

export const FRAGMENTS = ['status', 'uptime'] as const;
export type FragmentName = (typeof FRAGMENTS)[number];

/** What a reader needs to catch up: the newest change and the URL of each fragment's current version. */
export interface LiveState {
  v: number;
  status: string;
  uptime: string;
}

export type LiveRequest = { kind: 'version' } | { kind: 'fragment'; name: FragmentName; version: number };

/** `/live/version.json` or `/live/<id>/<fragment>`; null for anything else under /live/. */
export function parseLivePath(path: string): LiveRequest | null {
  if (path === LIVE_VERSION_PATH) return { kind: 'version' };
  const match = /^\/live\/(0|[1-9]\d{0,15})\/(status|uptime)$/.exec(path);
  if (!match) return null;
  return { kind: 'fragment', name: match[2] as FragmentName, version: Number(match[1]) };
}

export function fragmentUrl(version: number, name: FragmentName): string {
  return `${LIVE_PREFIX}${version}/${name}`;
}

function digest(body: Buffer | string): string {
  return createHash('sha1').update(body).digest('base64url');
}

interface VersionDocument {
  body: Buffer;
  etag: string;
}

export class LiveFragments {
  #state: LiveState;
  #hashes: Record<FragmentName, string | null> = { status: null, uptime: null };
  #document: VersionDocument;
  /** Publications run one after another, so events go out in feed order. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #render: (name: FragmentName) => Promise<Buffer | null>;

  /** `render` returns a fragment's current bytes (from the page cache), or null when it failed. */
  constructor(version: number, render: (name: FragmentName) => Promise<Buffer | null>) {
    this.#render = render;
    this.#state = { v: version, status: fragmentUrl(version, 'status'), uptime: fragmentUrl(version, 'uptime') };
    this.#document = this.#toDocument();
  }

  get state(): LiveState {
    return this.#state;
  }

  /**
   * Renders the fragments as of change `version` and moves the URL of each one that changed.
   * A fragment that cannot be rendered gets a new URL anyway: readers then fetch it, which is
   * the safe side. With `moveAll` every fragment gets a new URL: the public ones are what is
   * compared, and an audience's viewer (whose fragments are rendered for them) may see a change
   * the public's do not show.
   */
  publish(version: number, moveAll = false): Promise<LiveState> {
    const next = this.#queue.then(() => this.#publish(version, moveAll));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #publish(version: number, moveAll: boolean): Promise<LiveState> {
    if (version < this.#state.v) return this.#state;
    const state: LiveState = { ...this.#state, v: version };
    // Both at once: readers hear of the change when the slower one is ready.
    const bodies = await Promise.all(FRAGMENTS.map((name) => this.#render(name).catch(() => null)));
    FRAGMENTS.forEach((name, i) => {
      const hash = bodies[i] ? digest(bodies[i]) : null;
      if (moveAll || hash === null || hash !== this.#hashes[name]) state[name] = fragmentUrl(version, name);
      this.#hashes[name] = hash;
    });
    this.#state = state;
    this.#document = this.#toDocument();
    return state;
  }

  #toDocument(): VersionDocument {
    const body = Buffer.from(JSON.stringify(this.#state));
    return { body, etag: `"${digest(body)}"` };
  }

  /** Answers /live/version.json: tiny, with an ETag so a poll that finds nothing new costs a 304. */
  serveVersion(req: IncomingMessage, res: ServerResponse, extra: OutgoingHttpHeaders): void {
    const { body, etag } = this.#document;
    const headers = { ...extra, etag, 'cache-control': VERSION_CACHE_CONTROL };
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
