// Reads a Statuspage page over HTTP: the public /api/v2 documents, or the management API (v1) with
// its key. Pages through lists, waits as long as a 429's Retry-After asks, and retries a request
// that failed on the network (from the page it was on, not from the start). Never writes.
import { InputError } from '../errors.ts';

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

export interface ClientOptions {
  /** The transport (global fetch by default; the admin passes one that refuses private addresses). */
  fetch?: FetchLike;
  /** How waiting is done: injected by tests so a Retry-After costs no real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per request before giving up on network errors and 5xx answers. */
  attempts?: number;
  /** The first pause after a network error; doubled each time. */
  backoffMs?: number;
  /** The longest Retry-After honoured; a longer one is waited for this long, then asked again. */
  maxWaitMs?: number;
  /** Called for each retry, so the caller can show it ("waiting 2 s: rate limited"). */
  onRetry?: (event: { url: string; reason: string; waitMs: number; attempt: number }) => void;
  /** Called after each request answered, for progress. */
  onRequest?: (url: string) => void;
}

/** A fetch that failed for good: the message says which address and why, in words. */
export class SourceError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

const realSleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** Retry-After is seconds or an HTTP date; anything else is taken as one second. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (!header) return 1_000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1_000 : Math.max(0, at - now);
}

export class StatuspageClient {
  readonly #fetch: FetchLike;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #maxWaitMs: number;
  readonly #options: ClientOptions;
  requests = 0;

  constructor(options: ClientOptions = {}) {
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#sleep = options.sleep ?? realSleep;
    this.#attempts = options.attempts ?? 6;
    this.#backoffMs = options.backoffMs ?? 500;
    this.#maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
    this.#options = options;
  }

  /** GETs JSON. 429s are waited out (they do not count as failed attempts, up to a bound). */
  async getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
    let failures = 0;
    let limited = 0;
    for (;;) {
      let response: Response;
      let text: string;
      try {
        response = await this.#fetch(url, { headers: { accept: 'application/json', ...headers } });
        this.requests++;
        // Read whole here: a connection dropped mid-answer is a network error like any other.
        text = await response.text();
      } catch (error) {
        // A refusal (an address Candor does not call) will not change by asking again.
        if (error instanceof SourceError) throw error;
        failures++;
        const cause = (error as Error & { cause?: Error }).cause;
        const reason = cause?.message ?? (error as Error).message;
        if (failures >= this.#attempts)
          throw new SourceError(`Could not read ${redact(url)} after ${failures} attempts: ${reason}.`);
        await this.#wait(url, `network error (${reason})`, this.#backoffMs * 2 ** (failures - 1), failures);
        continue;
      }
      if (response.status === 429) {
        limited++;
        if (limited > 20) throw new SourceError(`${redact(url)} kept answering 429 (rate limited) after 20 waits.`);
        const wait = Math.min(retryAfterMs(response.headers.get('retry-after')), this.#maxWaitMs);
        await this.#wait(url, 'rate limited (429)', wait, limited);
        continue;
      }
      if (response.status >= 500) {
        failures++;
        if (failures >= this.#attempts)
          throw new SourceError(`${redact(url)} answered ${response.status} ${failures} times; try again later.`);
        await this.#wait(url, `server error ${response.status}`, this.#backoffMs * 2 ** (failures - 1), failures);
        continue;
      }
      if (response.status === 401 || response.status === 403)
        throw new SourceError(
          `${redact(url)} refused the API key (${response.status}): check the key and that it may read this page.`,
        );
      if (response.status === 404)
        throw new SourceError(`${redact(url)} does not exist (404): check the address or page id.`);
      if (response.status >= 400)
        throw new SourceError(`${redact(url)} answered ${response.status}: ${text.slice(0, 200)}`);
      this.#options.onRequest?.(url);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new SourceError(`${redact(url)} did not answer JSON: is it a Statuspage page?`);
      }
    }
  }

  async #wait(url: string, reason: string, waitMs: number, attempt: number) {
    this.#options.onRetry?.({ url: redact(url), reason, waitMs, attempt });
    await this.#sleep(waitMs);
  }

  /**
   * Every item of a paged management API list: asks page after page (`page` from `firstPage`,
   * `perPage` a page under `sizeParam`) until one comes back short. `onPage` sees each page's
   * items as they arrive.
   */
  async getAllPages(
    baseUrl: string,
    headers: Record<string, string>,
    options: { perPage: number; sizeParam: 'per_page' | 'limit'; firstPage: 0 | 1; maxPages?: number },
    onPage?: (count: number) => void,
  ): Promise<unknown[]> {
    const all: unknown[] = [];
    const maxPages = options.maxPages ?? 10_000;
    for (let page = options.firstPage; page < options.firstPage + maxPages; page++) {
      const url = new URL(baseUrl);
      url.searchParams.set('page', String(page));
      url.searchParams.set(options.sizeParam, String(options.perPage));
      const body = await this.getJson(url.href, headers);
      if (!Array.isArray(body)) throw new SourceError(`${redact(url.href)} did not answer a list.`);
      all.push(...(body as unknown[]));
      onPage?.(body.length);
      if (body.length < options.perPage) return all;
    }
    throw new SourceError(`${redact(baseUrl)} had more than ${maxPages} pages; stopped.`);
  }
}

/** An address fit for a message: no query string secrets (Statuspage keys go in a header anyway). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url;
  }
}
