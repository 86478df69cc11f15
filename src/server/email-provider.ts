// The providers' shapes, and Resend through its SDK: one batch call per up to 100 emails, with the batch's idempotency key,
// and every answer sorted into what the worker should do next.
import { Resend } from 'resend';
import type { EmailMessage } from '../domain/notify/email.ts';

export type SendOutcome =
  /** `limit`: the provider's requests per second (ratelimit-limit header), when it says. */
  | { kind: 'sent'; ids: (string | null)[]; limit: number | null }
  | { kind: 'rate-limited'; retryAfterMs: number; message: string }
  | { kind: 'retry'; message: string; retryAfterMs?: number }
  | { kind: 'permanent'; message: string }
  /** The provider already holds this idempotency key from an earlier, accepted call. */
  | { kind: 'already-sent'; message: string };

/** A provider that takes a batch in one call under an idempotency key (Resend). */
export interface BatchEmailProvider {
  readonly mode: 'batch';
  readonly label: string;
  sendBatch(emails: EmailMessage[], idempotencyKey: string): Promise<SendOutcome>;
}

/** How one message went with a provider that takes one message at a time (SMTP). */
export type MessageOutcome =
  { kind: 'sent'; id: string | null } | { kind: 'retry'; message: string } | { kind: 'permanent'; message: string };

/**
 * A provider that takes one message at a time and knows no idempotency key (SMTP): the worker
 * records each message the moment the server accepts it, so a crash can repeat one message only.
 */
export interface EachEmailProvider {
  readonly mode: 'each';
  readonly label: string;
  /** `messageId` is the same on every try of one delivery, so receivers that de-duplicate can. */
  sendOne(email: EmailMessage, messageId: string): Promise<MessageOutcome>;
  close(): void;
}

export type EmailProvider = BatchEmailProvider | EachEmailProvider;

const REQUEST_TIMEOUT_MS = 30_000;

/** Seconds in a header (Retry-After, ratelimit-reset) as milliseconds, or null. */
function seconds(headers: Record<string, string> | null, name: string): number | null {
  const value = headers?.[name];
  if (value === undefined) return null;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, n * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

export class ResendProvider implements BatchEmailProvider {
  readonly mode = 'batch';
  readonly label = 'Resend';
  readonly #resend: Resend;
  readonly #from: string;

  constructor(apiKey: string, from: string) {
    // The SDK reads RESEND_BASE_URL itself; tests and the benchmark point it at a local server.
    this.#resend = new Resend(apiKey);
    this.#from = from;
  }

  async sendBatch(emails: EmailMessage[], idempotencyKey: string): Promise<SendOutcome> {
    const payload = emails.map((e) => ({
      from: this.#from,
      to: [e.to],
      subject: e.subject,
      html: e.html,
      text: e.text,
      headers: e.headers,
    }));
    const { data, error, headers } = await this.#resend.batch.send(payload, {
      idempotencyKey,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!error) {
      const ids = emails.map((_, i) => data?.data?.[i]?.id ?? null);
      const limit = Number(headers?.['ratelimit-limit']);
      return { kind: 'sent', ids, limit: Number.isInteger(limit) && limit > 0 ? limit : null };
    }
    const status = (error as { statusCode?: number | null }).statusCode ?? null;
    const name = error.name ?? 'error';
    const message = `${status ?? 'network'} ${name}: ${error.message}`;
    if (status === 429) {
      return {
        kind: 'rate-limited',
        retryAfterMs: seconds(headers, 'retry-after') ?? seconds(headers, 'ratelimit-reset') ?? 1000,
        message,
      };
    }
    if (name === 'invalid_idempotent_request') return { kind: 'already-sent', message };
    if (status === null || status >= 500 || status === 408 || name === 'concurrent_idempotent_requests') {
      return { kind: 'retry', message, retryAfterMs: seconds(headers, 'retry-after') ?? undefined };
    }
    // A rejected key is a setup problem, not the subscriber's: keep retrying so nothing is lost.
    if (status === 401 || status === 403) return { kind: 'retry', message: `${message} (check RESEND_API_KEY)` };
    return { kind: 'permanent', message };
  }
}
