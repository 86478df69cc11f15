// The public read path's cache: rendered pages kept as bytes (plain and gzip), served with a
// strong ETag, 304 on revalidation and CDN-friendly Cache-Control. The whole cache is dropped
// whenever the change feed reports a change; concurrent misses for one page render it once. The
// caller names the key (see cache-key.ts): nothing the client sends beyond it shapes an entry.
// Each answer says how it was served in `x-cache`: hit, miss (this request rendered it) or shared
// (it waited for another request's render).
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { CapturedPage } from './capture.ts';

/** Short browser/CDN freshness, long stale-if-error: during an origin outage a CDN keeps serving. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=5, s-maxage=10, stale-while-revalidate=30, stale-if-error=86400';
/** Even without changes a page is re-rendered this often: relative times and the day rollover. */
const MAX_ENTRY_AGE_MS = 60_000;
const MAX_ENTRIES = 500;
/** Searches (free text) have their own, smaller room: they never evict the pages everyone reads. */
const MAX_SEARCH_ENTRIES = 50;

type CacheOutcome = 'hit' | 'miss' | 'shared';

interface Entry {
  body: Buffer;
  /** Whether a gzip copy is worth making (text, over 1 KB). */
  compressible: boolean;
  gzip: Buffer | null;
  etag: string;
  storedAt: number;
  /** Complete header sets for a hit, built once: the hot path allocates nothing per request. */
  plain: OutgoingHttpHeaders;
  gzipped: OutgoingHttpHeaders | null;
  notModified: OutgoingHttpHeaders;
  /** The same heads as bytes on the wire (status line and headers), for the fast front. */
  wire: { plain: Buffer; gzipped: Buffer | null; notModified: Buffer };
}

/** What the fast front writes for a hit: the head block (without Date), then the body if any. */
export interface WireAnswer {
  status: number;
  head: Buffer;
  body: Buffer | null;
}

/** A status line and header lines, as node:http would write them (less Date and Connection). */
function wireHead(status: number, headers: OutgoingHttpHeaders): Buffer {
  let text = `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Not Modified'}\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) text += `${name}: ${one}\r\n`;
  }
  return Buffer.from(text, 'latin1');
}

/** Whether an If-None-Match header names `etag` (or `*`): a 304 is due. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

function acceptsGzip(header: string | string[] | undefined): boolean {
  return typeof header === 'string' && /\bgzip\b/.test(header);
}

/**
 * A render's outcome: `entry` can answer at once, uncompressed; `complete()` adds its gzip bytes
 * (once, whoever asks first) and stores it in the cache.
 */
interface Filled {
  entry: Entry | null;
  page: CapturedPage;
  complete: () => Entry | null;
}

/** A render under way (or done and compressing) that requests for its key share. */
interface Flight {
  result: Promise<Filled>;
  rendered: boolean;
}

/** `entry` with its gzip copy, when it is worth one. */
function withGzip(entry: Entry): Entry {
  if (!entry.compressible) return entry;
  const gzip = gzipSync(entry.body);
  const { 'content-length': _, ...headers } = entry.plain;
  const gzipped = { ...headers, 'content-encoding': 'gzip', 'content-length': gzip.length };
  return { ...entry, gzip, gzipped, wire: { ...entry.wire, gzipped: wireHead(200, gzipped) } };
}

export class PageCache {
  #entries = new Map<string, Entry>();
  #searches = new Map<string, Entry>();
  #inflight = new Map<string, Flight>();
  #generation = 0;
  /** How answers were served since start, for the metrics. */
  readonly outcomes: Record<CacheOutcome, number> = { hit: 0, miss: 0, shared: 0 };

  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
    this.#searches.clear();
    // A render begun before the change still answers those who asked before it; later requests
    // render afresh.
    this.#inflight.clear();
  }

  /**
   * Answers from the entry under `key`, rendering it when missing. `extra` (the security headers)
   * goes on every answer, kept in the entry so a hit costs no merging.
   */
  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    extra: OutgoingHttpHeaders,
    render: () => Promise<CapturedPage>,
    cacheControl = PUBLIC_CACHE_CONTROL,
    searched = false,
  ): Promise<void> {
    const entry = this.#fresh(key, searched);
    if (entry) {
      this.outcomes.hit++;
      return this.#write(req, res, entry, 'hit');
    }
    const { result, how } = this.#fill(key, extra, render, cacheControl, searched);
    const { entry: plain, page, complete } = await result;
    this.outcomes[how]++;
    if (plain) {
      // Compressing a large page takes milliseconds: a client that takes no gzip is answered
      // first, and the entry is completed right after.
      if (acceptsGzip(req.headers['accept-encoding'])) return this.#write(req, res, complete()!, how);
      this.#write(req, res, plain, how);
      setImmediate(complete);
      return;
    }
    // Not cacheable (an error page, a redirect, a cookie): pass it through untouched.
    res.writeHead(page.status, { ...page.headers, ...extra, 'x-cache': how });
    res.end(req.method === 'HEAD' ? undefined : page.body);
  }

  /**
   * The answer for a request the fast front read, when `key` has a fresh entry; null sends the
   * request to node:http (which renders a missing entry). Same rules as serve() for a hit.
   */
  wireAnswer(
    key: string,
    searched: boolean,
    request: { method: 'GET' | 'HEAD'; ifNoneMatch?: string; acceptEncoding?: string },
  ): WireAnswer | null {
    const entry = this.#fresh(key, searched);
    if (!entry) return null;
    this.outcomes.hit++;
    if (etagMatches(request.ifNoneMatch, entry.etag)) return { status: 304, head: entry.wire.notModified, body: null };
    const gzip = entry.gzipped !== null && acceptsGzip(request.acceptEncoding);
    const head = gzip ? entry.wire.gzipped! : entry.wire.plain;
    return { status: 200, head, body: request.method === 'HEAD' ? null : gzip ? entry.gzip! : entry.body };
  }

  /** The bytes under `key`, rendered when missing; null when the answer is not cacheable. */
  async body(
    key: string,
    extra: OutgoingHttpHeaders,
    render: () => Promise<CapturedPage>,
    cacheControl = PUBLIC_CACHE_CONTROL,
  ): Promise<Buffer | null> {
    const entry =
      this.#fresh(key, false) ?? (await this.#fill(key, extra, render, cacheControl, false).result).complete();
    return entry ? entry.body : null;
  }

  #fresh(key: string, searched: boolean): Entry | undefined {
    const entries = searched ? this.#searches : this.#entries;
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    if (Date.now() - entry.storedAt > MAX_ENTRY_AGE_MS) return undefined;
    // Least recently used goes first when the cache is full: put this entry back at the end.
    entries.set(key, entry);
    return entry;
  }

  #fill(
    key: string,
    extra: OutgoingHttpHeaders,
    render: () => Promise<CapturedPage>,
    cacheControl: string,
    searched: boolean,
  ): { result: Promise<Filled>; how: CacheOutcome } {
    const running = this.#inflight.get(key);
    // Rendered already, its gzip copy not yet made: no render is waited for, a hit.
    if (running) return { result: running.result, how: running.rendered ? 'hit' : 'shared' };
    const generation = this.#generation;
    const done = () => void (this.#inflight.get(key) === flight && this.#inflight.delete(key));
    const flight: Flight = {
      rendered: false,
      result: render().then((page): Filled => {
        flight.rendered = true;
        // Anything personal says so (admin pages send no-store): never keep it for others.
        const cacheable =
          page.status === 200 &&
          !page.headers['set-cookie'] &&
          !/no-store|private/.test(String(page.headers['cache-control'] ?? ''));
        const entry = cacheable ? this.#toEntry(page, extra, cacheControl) : null;
        if (!entry) done();
        let full: Entry | undefined;
        const complete = () => {
          if (!entry) return null;
          if (full) return full;
          full = withGzip(entry);
          // A change may have landed meanwhile: then serve it once but do not keep it.
          if (generation === this.#generation) this.#store(key, full, searched);
          // Until the entry is stored, later requests share this render rather than start another.
          done();
          return full;
        };
        return { entry, page, complete };
      }),
    };
    flight.result.catch(done);
    this.#inflight.set(key, flight);
    return { result: flight.result, how: 'miss' };
  }

  #toEntry(page: CapturedPage, extra: OutgoingHttpHeaders, cacheControl: string): Entry {
    const etag = `"${createHash('sha1').update(page.body).digest('base64url')}"`;
    const compressible = /^(text\/|application\/(json|xml|atom|rss|javascript)|image\/svg)/.test(
      String(page.headers['content-type'] ?? ''),
    );
    const headers: OutgoingHttpHeaders = {
      ...page.headers,
      ...extra,
      etag,
      'cache-control': cacheControl,
      'x-cache': 'hit',
    };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    // Kept with the page's own Vary (Cookie, for pages in the visitor's language).
    const vary = [
      page.headers.vary === undefined ? '' : String(page.headers.vary),
      compressible ? 'Accept-Encoding' : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    if (vary) headers.vary = vary;
    const plain = { ...headers, 'content-length': page.body.length };
    const notModified = {
      ...extra,
      etag,
      'cache-control': cacheControl,
      'x-cache': 'hit',
      ...(vary ? { vary } : {}),
    };
    return {
      body: page.body,
      compressible: compressible && page.body.length > 1024,
      gzip: null,
      etag,
      storedAt: Date.now(),
      plain,
      gzipped: null,
      notModified,
      wire: { plain: wireHead(200, plain), gzipped: null, notModified: wireHead(304, notModified) },
    };
  }

  #store(key: string, entry: Entry, searched: boolean): void {
    const entries = searched ? this.#searches : this.#entries;
    if (entries.size >= (searched ? MAX_SEARCH_ENTRIES : MAX_ENTRIES)) {
      // Map iteration order is insertion (or last use) order: drop the least recently used.
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, entry);
  }

  #write(req: IncomingMessage, res: ServerResponse, entry: Entry, how: CacheOutcome): void {
    const labelled = (headers: OutgoingHttpHeaders) => (how === 'hit' ? headers : { ...headers, 'x-cache': how });
    if (etagMatches(req.headers['if-none-match'], entry.etag)) {
      res.writeHead(304, labelled(entry.notModified));
      res.end();
      return;
    }
    const gzip = entry.gzipped !== null && acceptsGzip(req.headers['accept-encoding']);
    res.writeHead(200, labelled(gzip ? entry.gzipped! : entry.plain));
    res.end(req.method === 'HEAD' ? undefined : gzip ? entry.gzip! : entry.body);
  }
}
