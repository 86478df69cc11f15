// A local HTTP server speaking the part of Resend's API Candor uses (POST /emails/batch and
// /emails), including its idempotency keys, rate limit headers and error bodies. Tests and the
// benchmark point the real resend SDK at it through RESEND_BASE_URL.
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';

export interface SentEmail {
  id: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  idempotencyKey: string | null;
}

export interface MockRequest {
  at: number;
  status: number;
  idempotencyKey: string | null;
  emails: number;
  replay: boolean;
  /** For a 429: when the answer left, and the wait it asked for. */
  answeredAt?: number;
  retryAfterMs?: number;
}

export interface ResendMockOptions {
  /** Requests per second before 429s (Resend's default is 2); 0 for unlimited. */
  requestsPerSecond?: number;
  /** Keep every email's full content (tests) or only count recipients (benchmark). */
  keepContent?: boolean;
  /** Runs after a batch is accepted and before it is answered. */
  onAccepted?: (
    emails: SentEmail[],
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ) => void | Promise<void>;
}

export class ResendMock {
  readonly emails: SentEmail[] = [];
  readonly requests: MockRequest[] = [];
  /** Accepted emails per recipient: a value above 1 is a duplicate delivery. */
  readonly perRecipient = new Map<string, number>();
  acceptedCount = 0;
  firstAcceptedAt = 0;
  lastAcceptedAt = 0;
  /** 'outage' answers 503 to everything until set back to 'ok'. */
  mode: 'ok' | 'outage' = 'ok';
  options: ResendMockOptions;
  url = '';
  readonly #server: http.Server;
  readonly #keys = new Map<string, { hash: string; body: string } | 'in-flight'>();
  #windowStart = 0;
  #windowCount = 0;

  constructor(options: ResendMockOptions = {}) {
    this.options = { keepContent: true, ...options };
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 500, name: 'internal_server_error', message: String(error) }));
      });
    });
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((ok) => this.#server.listen(port, '127.0.0.1', () => ok()));
    const address = this.#server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }

  emailsTo(address: string): SentEmail[] {
    return this.emails.filter((e) => e.to === address);
  }

  duplicates(): string[] {
    return [...this.perRecipient].filter(([, n]) => n > 1).map(([to]) => to);
  }

  #send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  #rateHeaders(remaining: number): Record<string, string> {
    const limit = this.options.requestsPerSecond ?? 0;
    if (!limit) return {};
    const reset = Math.max(1, Math.ceil((this.#windowStart + 1000 - Date.now()) / 1000));
    return {
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, remaining)),
      'ratelimit-reset': String(reset),
    };
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const log = (status: number, emails: number, replay = false) => {
      const entry: MockRequest = { at: Date.now(), status, idempotencyKey: key, emails, replay };
      this.requests.push(entry);
      return entry;
    };

    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      log(401, 0);
      return this.#send(res, 401, {
        statusCode: 401,
        name: 'missing_api_key',
        message: 'Missing API key in the authorization header.',
      });
    }
    if (this.mode === 'outage') {
      log(503, 0);
      return this.#send(res, 503, {
        statusCode: 503,
        name: 'service_unavailable',
        message: 'The service is down for testing.',
      });
    }
    const limit = this.options.requestsPerSecond ?? 0;
    let remaining = Infinity;
    if (limit) {
      const now = Date.now();
      if (now - this.#windowStart >= 1000) {
        this.#windowStart = now;
        this.#windowCount = 0;
      }
      if (this.#windowCount >= limit) {
        const entry = log(429, 0);
        const headers = this.#rateHeaders(0);
        entry.retryAfterMs = Number(headers['ratelimit-reset']) * 1000;
        entry.answeredAt = Date.now();
        return this.#send(
          res,
          429,
          {
            statusCode: 429,
            name: 'rate_limit_exceeded',
            message: 'Too many requests. You can only make 2 requests per second.',
          },
          { ...headers, 'retry-after': headers['ratelimit-reset'] },
        );
      }
      this.#windowCount++;
      remaining = limit - this.#windowCount;
    }
    const batch = req.url === '/emails/batch';
    if (req.method !== 'POST' || (!batch && req.url !== '/emails')) {
      log(404, 0);
      return this.#send(res, 404, {
        statusCode: 404,
        name: 'not_found',
        message: 'The requested endpoint does not exist.',
      });
    }
    const hash = createHash('sha256').update(raw).digest('hex');
    if (key) {
      const seen = this.#keys.get(key);
      if (seen === 'in-flight') {
        log(409, 0);
        return this.#send(res, 409, {
          statusCode: 409,
          name: 'concurrent_idempotent_requests',
          message: 'Same idempotency key used while original request is still in progress.',
        });
      }
      if (seen) {
        if (seen.hash !== hash) {
          log(409, 0);
          return this.#send(res, 409, {
            statusCode: 409,
            name: 'invalid_idempotent_request',
            message: 'Same idempotency key used with a different request payload.',
          });
        }
        log(200, 0, true);
        return this.#send(res, 200, seen.body, this.#rateHeaders(remaining));
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      log(400, 0);
      return this.#send(res, 400, { statusCode: 400, name: 'invalid_json', message: 'The body is not valid JSON.' });
    }
    const list = (batch ? parsed : [parsed]) as Record<string, unknown>[];
    const problem = !Array.isArray(list)
      ? 'The batch must be an array.'
      : list.length > 100
        ? 'A batch holds at most 100 emails.'
        : list.findIndex((e) => !e.from || !e.to || !e.subject || (!e.html && !e.text)) >= 0
          ? 'Each email needs from, to, subject and html or text.'
          : null;
    if (problem) {
      log(422, 0);
      return this.#send(res, 422, { statusCode: 422, name: 'validation_error', message: problem });
    }
    if (key) this.#keys.set(key, 'in-flight');
    const accepted: SentEmail[] = list.map((e) => {
      const to = Array.isArray(e.to) ? String(e.to[0]) : String(e.to);
      return this.options.keepContent
        ? {
            id: randomUUID(),
            from: String(e.from),
            to,
            subject: String(e.subject),
            html: String(e.html ?? ''),
            text: String(e.text ?? ''),
            headers: (e.headers ?? {}) as Record<string, string>,
            idempotencyKey: key,
          }
        : ({ id: randomUUID(), to } as SentEmail);
    });
    const now = Date.now();
    for (const e of accepted) {
      this.perRecipient.set(e.to, (this.perRecipient.get(e.to) ?? 0) + 1);
      if (this.options.keepContent) this.emails.push(e);
    }
    if (!this.firstAcceptedAt) this.firstAcceptedAt = now;
    this.lastAcceptedAt = now;
    this.acceptedCount += accepted.length;
    const body = JSON.stringify(batch ? { data: accepted.map((e) => ({ id: e.id })) } : { id: accepted[0].id });
    if (key) this.#keys.set(key, { hash, body });
    log(200, accepted.length);
    await this.options.onAccepted?.(accepted, req, res);
    if (res.destroyed || res.headersSent) return;
    this.#send(res, 200, body, this.#rateHeaders(remaining));
  }
}
