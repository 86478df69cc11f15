// What the outbox does with the answer to a call to a user-given URL: a staff webhook or a chat
// channel's incoming webhook. Refusals (a private address, a redirect) fail at once with the
// reason; 429 waits as long as the platform asks; chat platforms' "this webhook is gone" fails.
import type { OutboundResult } from './outbound-http.ts';

export type PostOutcome =
  | { kind: 'sent'; body: string }
  | { kind: 'rate-limited'; retryAfterMs: number; message: string }
  | { kind: 'retry'; message: string; retryAfterMs?: number }
  | { kind: 'permanent'; message: string };

/** Retry-After (seconds or an HTTP date), or Discord's `retry_after` in the JSON body (seconds). */
export function retryAfterMs(result: Extract<OutboundResult, { kind: 'response' }>, now = Date.now()): number | null {
  const header = result.headers['retry-after'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined) {
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  try {
    const seconds = (JSON.parse(result.body) as { retry_after?: unknown }).retry_after;
    if (typeof seconds === 'number' && seconds >= 0) return Math.ceil(seconds * 1000);
  } catch {
    // Not JSON: no hint in the body.
  }
  return null;
}

const excerpt = (body: string) => (body ? `: ${body.slice(0, 200)}` : '');

/**
 * Sorts an answer. `chat` marks a chat platform's webhook, whose 4xx answers (the webhook was
 * deleted, the channel archived, the payload refused) will not change by trying again.
 */
export function postOutcome(result: OutboundResult, options: { chat: boolean }): PostOutcome {
  if (result.kind === 'refused') return { kind: 'permanent', message: result.reason };
  if (result.kind === 'error') return { kind: 'retry', message: result.message };
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'sent', body: result.body };
  if (status >= 300 && status < 400) {
    const location = result.headers.location ?? 'elsewhere';
    return {
      kind: 'permanent',
      message: `Refused: the endpoint answered ${status}, a redirect to ${location}. Candor follows no redirects (one could lead to a private address); use the final address.`,
    };
  }
  if (status === 429) {
    return {
      kind: 'rate-limited',
      retryAfterMs: retryAfterMs(result) ?? 1000,
      message: `The endpoint answered 429 (too many requests)${excerpt(result.body)}`,
    };
  }
  const message = `The endpoint answered ${status}${excerpt(result.body)}`;
  if (options.chat && status >= 400 && status < 500 && status !== 408) {
    return { kind: 'permanent', message: `${message} (the channel's webhook refused it; it may have been removed)` };
  }
  return { kind: 'retry', message, retryAfterMs: retryAfterMs(result) ?? undefined };
}
