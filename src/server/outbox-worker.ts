// Sends what the outbox holds. Each lane claims one provider call's worth of deliveries under a
// lease, sends it and records the outcome; lanes on every instance share the work through the
// database. Email lanes share one pause, so a 429 stops them all until the provider's window ends.
import type { Db } from '../db/client.ts';
import { renderEmail, type EmailMessage } from '../domain/notify/email.ts';
import type { Channel } from '../domain/notify/kinds.ts';
import type { MessageContext } from '../domain/notify/links.ts';
import {
  claimBatch,
  recordBatchFailed,
  recordBatchRetry,
  recordBatchSent,
  releaseLeases,
  renewLease,
  type ClaimedBatch,
} from '../domain/notify/outbox.ts';
import {
  DELIVERY_HEADER,
  echoesChallenge,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  webhookBody,
} from '../domain/notify/webhook.ts';
import { activateWebhook } from '../domain/subscribers.ts';
import { signalDelivery } from '../domain/signals.ts';
import { logger } from './logger.ts';
import type { EmailProvider, SendOutcome } from './email-provider.ts';
import type { OutboxConfig } from './outbox-config.ts';
import { systemClock, type Clock } from './clock.ts';

const WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface WorkerDeps {
  db: Db;
  /** Fixed, or read before each batch (the page name is a setting that may change at any time). */
  ctx: MessageContext | (() => Promise<MessageContext>);
  config: OutboxConfig;
  /** Null keeps email in the local outbox (no provider configured). */
  email: EmailProvider | null;
  log?: (line: string) => void;
  clock?: Clock;
}

export class OutboxWorker {
  readonly #deps: WorkerDeps;
  #running = false;
  #lanes: Promise<void>[] = [];
  #wakers = new Set<() => void>();
  /** Pacing waits, cut short when the worker stops: a batch not yet sent is given back instead. */
  #sleepers = new Set<() => void>();
  #emailPausedUntil = 0;
  readonly #clock: Clock;
  readonly #pacer: Pacer;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#pacer = new Pacer(this.#clock);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const { config, email } = this.#deps;
    if (email) for (let i = 0; i < config.emailLanes; i++) this.#lanes.push(this.#lane('email'));
    for (let i = 0; i < config.webhookLanes; i++) this.#lanes.push(this.#lane('webhook'));
  }

  /** Something was just queued here: look now instead of at the next poll. */
  wake(): void {
    for (const wake of this.#wakers) wake();
  }

  /**
   * Lets calls in flight finish (their outcome is recorded) and gives back at once every batch
   * claimed but not sent, so another instance carries on within its next poll.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    for (const wake of this.#sleepers) wake();
    await Promise.all(this.#lanes);
    this.#lanes = [];
    await releaseLeases(this.#deps.db, this.#deps.config.owner).catch((error: unknown) => {
      this.#deps.log?.(`[candor] outbox: could not give back leases: ${(error as Error).message}`);
    });
  }

  #idle(ms: number): Promise<void> {
    return new Promise((ok) => {
      const done = () => {
        cancel();
        this.#wakers.delete(done);
        ok();
      };
      const cancel = this.#clock.after(ms, done);
      this.#wakers.add(done);
    });
  }

  async #lane(channel: Channel): Promise<void> {
    const { db, config } = this.#deps;
    while (this.#running) {
      try {
        // A long pause (a daily quota) is waited out before claiming, so leases do not lapse;
        // a short one (the per-second limit) after claiming and rendering, so the next call
        // leaves the moment the provider's window opens.
        const pause = channel === 'email' ? this.#emailPausedUntil - this.#clock.now() : 0;
        if (pause > config.leaseMs / 2) {
          await this.#idle(pause);
          continue;
        }
        const batch = await claimBatch(db, channel, {
          owner: config.owner,
          leaseMs: config.leaseMs,
          now: this.#clock.now(),
        });
        if (!batch) {
          await this.#idle(config.pollMs);
          continue;
        }
        const stopRenewing = this.#renewWhileHeld(batch.id);
        try {
          if (channel === 'email') await this.#sendEmail(batch);
          else await this.#sendWebhook(batch);
        } finally {
          stopRenewing();
        }
      } catch (error) {
        // A database hiccup must not kill the lane; the lease brings the batch back later.
        this.#deps.log?.(`[candor] outbox ${channel} lane: ${(error as Error).message}`);
        await this.#idle(config.pollMs);
      }
    }
  }

  /**
   * Keeps the lease of a batch being worked on from lapsing, however slow the call. On wall time,
   * not the injected clock: it guards against the process dying, which happens in wall time.
   */
  #renewWhileHeld(batchId: number): () => void {
    const { db, config } = this.#deps;
    const timer = setInterval(() => {
      void renewLease(db, batchId, config.owner, this.#clock.now() + config.leaseMs).catch(() => undefined);
    }, config.leaseMs / 3);
    timer.unref();
    return () => clearInterval(timer);
  }

  #backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.#deps.config;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  async #record(batch: ClaimedBatch, outcome: SendOutcome, providerIds?: (string | null)[]): Promise<void> {
    const { db, config } = this.#deps;
    const now = this.#clock.now();
    const failing =
      outcome.kind === 'permanent' || (outcome.kind === 'retry' && batch.attempts + 1 >= config.maxAttempts);
    const signal =
      outcome.kind === 'sent' || outcome.kind === 'already-sent' ? 'sent' : failing ? 'failed' : outcome.kind;
    signalDelivery(batch.channel, signal, batch.deliveries.length);
    logger[signal === 'failed' ? 'warn' : 'info'](
      {
        batch: batch.id,
        channel: batch.channel,
        deliveries: batch.deliveries.length,
        outcome: signal,
        reqIds: [...new Set(batch.deliveries.map((d) => d.requestId).filter((id) => id !== null))],
        ...('message' in outcome ? { reason: outcome.message } : {}),
      },
      'outbox batch',
    );
    switch (outcome.kind) {
      case 'sent':
      case 'already-sent':
        await recordBatchSent(
          db,
          batch.id,
          new Map(batch.deliveries.map((d, i) => [d.id, providerIds?.[i] ?? null])),
          now,
        );
        return;
      case 'rate-limited':
        await recordBatchRetry(
          db,
          batch.id,
          `Rate limited by the provider: ${outcome.message}`,
          now + outcome.retryAfterMs,
          { countsAsAttempt: false, now },
        );
        return;
      case 'retry': {
        const attempts = batch.attempts + 1;
        if (attempts >= config.maxAttempts) {
          await recordBatchFailed(db, batch.id, `Gave up after ${attempts} attempts: ${outcome.message}`, now);
          return;
        }
        const wait = Math.max(outcome.retryAfterMs ?? 0, this.#backoff(attempts));
        await recordBatchRetry(db, batch.id, outcome.message, now + wait, { countsAsAttempt: true, now });
        return;
      }
      case 'permanent':
        await recordBatchFailed(db, batch.id, outcome.message, now);
    }
  }

  async #sendEmail(batch: ClaimedBatch): Promise<void> {
    const { email } = this.#deps;
    let messages: EmailMessage[];
    try {
      const ctx = await this.#context();
      messages = batch.deliveries.map((d) => renderEmail(ctx, d));
    } catch (error) {
      await this.#record(batch, {
        kind: 'permanent',
        message: `Could not render the email: ${(error as Error).message}`,
      });
      return;
    }
    const wait = this.#pacer.reserve(this.#emailPausedUntil);
    if (wait > 0) await this.#sleep(wait);
    // A 429 learnt while this call waited for its slot moved the slot (see #pauseEmail).
    const paused = this.#emailPausedUntil - this.#clock.now();
    if (paused > 0) await this.#sleep(paused);
    if (!this.#running) {
      await releaseLeases(this.#deps.db, this.#deps.config.owner, batch.id);
      return;
    }
    const outcome = await email!.sendBatch(messages, batch.idempotencyKey);
    if (outcome.kind === 'rate-limited') this.#pauseEmail(outcome.retryAfterMs);
    if (outcome.kind === 'sent') this.#pacer.learn(outcome.limit);
    await this.#record(batch, outcome, outcome.kind === 'sent' ? outcome.ids : undefined);
  }

  #context(): Promise<MessageContext> {
    const { ctx } = this.#deps;
    return typeof ctx === 'function' ? ctx() : Promise.resolve(ctx);
  }

  #pauseEmail(ms: number): void {
    this.#emailPausedUntil = Math.max(this.#emailPausedUntil, this.#clock.now() + ms);
    this.#pacer.postpone(this.#emailPausedUntil);
  }

  #sleep(ms: number): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((ok) => {
      const done = () => {
        cancel();
        this.#sleepers.delete(done);
        ok();
      };
      const cancel = this.#clock.after(ms, done);
      this.#sleepers.add(done);
    });
  }

  async #sendWebhook(batch: ClaimedBatch): Promise<void> {
    const delivery = batch.deliveries[0];
    let body: string;
    try {
      body = webhookBody(await this.#context(), delivery);
    } catch (error) {
      await this.#record(batch, {
        kind: 'permanent',
        message: `Could not build the webhook body: ${(error as Error).message}`,
      });
      return;
    }
    const outcome = await postWebhook(delivery.address, body, {
      'content-type': 'application/json',
      'user-agent': 'Candor-Webhooks/1',
      [SIGNATURE_HEADER]: signWebhook(delivery.secret ?? '', body),
      [EVENT_HEADER]: delivery.kind === 'webhook.verify' ? 'subscription.verify' : delivery.kind,
      [DELIVERY_HEADER]: String(delivery.id),
    });
    if (outcome.kind === 'sent' && delivery.kind === 'webhook.verify') {
      if (!echoesChallenge(delivery.payload, outcome.body)) {
        await this.#record(batch, {
          kind: 'permanent',
          message: 'The endpoint answered 2xx but did not echo the challenge, so it stays unverified.',
        });
        return;
      }
      await activateWebhook(this.#deps.db, delivery.subscriberId).catch(() => undefined);
    }
    await this.#record(batch, outcome.kind === 'sent' ? { kind: 'sent', ids: [null], limit: null } : outcome);
  }
}

/**
 * Spaces provider calls so that no more than the provider's per-second limit start in any second
 * (plus a small margin for the trip there). Spending a call on a certain 429 would cost a whole
 * window; starting each call when its slot opens keeps the rate at the ceiling.
 */
class Pacer {
  static readonly WINDOW_MS = 1000;
  static readonly MARGIN_MS = 25;
  #limit: number | null = null;
  #starts: number[] = [];

  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  learn(limit: number | null): void {
    if (limit !== null) this.#limit = limit;
  }

  /** A pause was learnt: calls booked to start before it ends start when it ends. */
  postpone(until: number): void {
    const now = this.#clock.now();
    this.#starts = this.#starts.map((at) => (at > now ? Math.max(at, until) : at));
  }

  /** Books the next start time no earlier than `notBefore`; returns how long to wait for it. */
  reserve(notBefore: number): number {
    const now = this.#clock.now();
    let at = Math.max(now, notBefore);
    if (this.#limit !== null && this.#starts.length >= this.#limit) {
      at = Math.max(at, this.#starts[this.#starts.length - this.#limit] + Pacer.WINDOW_MS + Pacer.MARGIN_MS);
    }
    this.#starts.push(at);
    if (this.#starts.length > 64) this.#starts.splice(0, this.#starts.length - 64);
    return at - now;
  }
}

type WebhookOutcome = { kind: 'sent'; body: string } | { kind: 'retry'; message: string; retryAfterMs?: number };

/** Any 2xx is a delivery; anything else (including redirects, never followed) is retried with backoff. */
async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<WebhookOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    const text = (await response.text()).slice(0, MAX_RESPONSE_BYTES);
    if (response.status >= 200 && response.status < 300) return { kind: 'sent', body: text };
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      kind: 'retry',
      message: `The endpoint answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { kind: 'retry', message: `Could not reach the endpoint: ${cause ?? (error as Error).message}` };
  }
}
