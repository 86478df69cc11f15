// Sends what the outbox holds. Each lane claims one provider call's worth of deliveries under a
// lease, sends it and records the outcome; lanes on every instance share the work through the
// database. Email lanes share one pause, so a 429 stops them all until the provider's window ends;
// webhooks and chat channels pause per host, as long as each platform's 429 asks.
import type { Db } from '../db/client.ts';
import { chatBody } from '../domain/notify/chat-formats.ts';
import { chatMessage } from '../domain/notify/chat-message.ts';
import { renderEmail, type EmailMessage } from '../domain/notify/email.ts';
import { isChatPlatform, type Channel } from '../domain/notify/kinds.ts';
import type { MessageContext } from '../domain/notify/links.ts';
import {
  claimBatch,
  recordBatchFailed,
  recordBatchRetry,
  recordBatchSent,
  recordDeliveryFailed,
  recordDeliverySent,
  releaseLeases,
  renewLease,
  type ClaimedBatch,
  type ClaimedDelivery,
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
import type { BatchEmailProvider, EachEmailProvider, EmailProvider, SendOutcome } from './email-provider.ts';
import { postOutbound } from './outbound-http.ts';
import { postOutcome, type PostOutcome } from './outbound-outcome.ts';
import type { OutboxConfig } from './outbox-config.ts';
import { Pacer } from './outbox-pacer.ts';
import { systemClock, type Clock } from './clock.ts';

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
  /** Per webhook host (hooks.slack.com, discord.com, …): no call before this time, after a 429. */
  readonly #hostPausedUntil = new Map<string, number>();
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
    for (let i = 0; i < config.chatLanes; i++) this.#lanes.push(this.#lane('chat'));
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
    if (this.#deps.email?.mode === 'each') this.#deps.email.close();
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
          else await this.#post(batch);
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
    const email = this.#deps.email!;
    if (email.mode === 'each') return this.#sendEach(batch, email);
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
    await this.#sendBatch(batch, email, messages);
  }

  async #sendBatch(batch: ClaimedBatch, email: BatchEmailProvider, messages: EmailMessage[]): Promise<void> {
    const wait = this.#pacer.reserve(this.#emailPausedUntil);
    if (wait > 0) await this.#sleep(wait);
    // A 429 learnt while this call waited for its slot moved the slot (see #pauseEmail).
    const paused = this.#emailPausedUntil - this.#clock.now();
    if (paused > 0) await this.#sleep(paused);
    if (!this.#running) {
      await releaseLeases(this.#deps.db, this.#deps.config.owner, batch.id);
      return;
    }
    const outcome = await email.sendBatch(messages, batch.idempotencyKey);
    if (outcome.kind === 'rate-limited') this.#pauseEmail(outcome.retryAfterMs);
    if (outcome.kind === 'sent') this.#pacer.learn(outcome.limit);
    await this.#record(batch, outcome, outcome.kind === 'sent' ? outcome.ids : undefined);
  }

  /**
   * SMTP: no idempotency key, so each message is recorded as sent the moment the server accepts
   * it. A crash between the server's 250 and that record repeats that one message, never the
   * batch. A 5xx fails only its own message; a 4xx or a lost connection gives the rest back.
   */
  async #sendEach(batch: ClaimedBatch, email: EachEmailProvider): Promise<void> {
    const { db, config } = this.#deps;
    const ctx = await this.#context();
    const host = new URL(ctx.publicUrl).hostname;
    for (const delivery of batch.deliveries) {
      // Shutting down: the rest goes back at once, for this or another instance.
      if (!this.#running) return void (await releaseLeases(db, config.owner, batch.id));
      let message: EmailMessage;
      try {
        message = renderEmail(ctx, delivery);
      } catch (error) {
        const reason = `Could not render the email: ${(error as Error).message}`;
        signalDelivery('email', 'failed', 1);
        await recordDeliveryFailed(db, delivery.id, reason, this.#clock.now());
        continue;
      }
      // The same Message-ID on every try: receivers that drop repeated ids can drop a repeat.
      const outcome = await email.sendOne(message, `<delivery-${delivery.id}.candor@${host}>`);
      const now = this.#clock.now();
      if (outcome.kind === 'retry') return this.#record(batch, { kind: 'retry', message: outcome.message });
      signalDelivery('email', outcome.kind === 'sent' ? 'sent' : 'failed', 1);
      if (outcome.kind === 'sent') await recordDeliverySent(db, delivery.id, outcome.id, now);
      else await recordDeliveryFailed(db, delivery.id, outcome.message, now);
    }
    await recordBatchSent(db, batch.id, new Map(), this.#clock.now());
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

  /** One call to a user-given URL: a staff webhook or a chat channel, behind the SSRF guard. */
  async #post(batch: ClaimedBatch): Promise<void> {
    const delivery = batch.deliveries[0];
    const chat = isChatPlatform(delivery.subscriberKind);
    let request: { body: string; headers: Record<string, string> };
    try {
      const ctx = await this.#context();
      request = chat ? this.#chatRequest(ctx, delivery) : this.#webhookRequest(ctx, delivery);
    } catch (error) {
      await this.#record(batch, {
        kind: 'permanent',
        message: `Could not build the message: ${(error as Error).message}`,
      });
      return;
    }
    const host = hostOf(delivery.address);
    const pausedUntil = this.#hostPausedUntil.get(host) ?? 0;
    if (pausedUntil > this.#clock.now()) {
      // Another call to this host was told to wait: this one waits too, without spending an attempt.
      await this.#settle(batch, {
        kind: 'rate-limited',
        retryAfterMs: pausedUntil - this.#clock.now(),
        message: `Waiting: ${host} asked for a pause`,
      });
      return;
    }
    const result = await postOutbound(delivery.address, request.body, request.headers, {
      policy: this.#deps.config.outbound,
    });
    const outcome = postOutcome(result, { chat });
    if (outcome.kind === 'rate-limited') this.#pauseHost(host, outcome.retryAfterMs);
    if (outcome.kind === 'sent' && delivery.kind === 'webhook.verify') {
      if (!echoesChallenge(delivery.payload, outcome.body)) {
        await this.#settle(batch, {
          kind: 'permanent',
          message: 'The endpoint answered 2xx but did not echo the challenge, so it stays unverified.',
        });
        return;
      }
      await activateWebhook(this.#deps.db, delivery.subscriberId).catch(() => undefined);
    }
    await this.#settle(batch, outcome);
  }

  #pauseHost(host: string, ms: number): void {
    const now = this.#clock.now();
    // Pauses that ended are forgotten, so the map holds only hosts that are waiting now.
    for (const [h, until] of this.#hostPausedUntil) if (until <= now) this.#hostPausedUntil.delete(h);
    this.#hostPausedUntil.set(host, Math.max(this.#hostPausedUntil.get(host) ?? 0, now + ms));
  }

  #webhookRequest(ctx: MessageContext, delivery: ClaimedDelivery) {
    const body = webhookBody(ctx, delivery);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Candor-Webhooks/1',
        [SIGNATURE_HEADER]: signWebhook(delivery.secret ?? '', body),
        [EVENT_HEADER]: delivery.kind === 'webhook.verify' ? 'subscription.verify' : delivery.kind,
        [DELIVERY_HEADER]: String(delivery.id),
      },
    };
  }

  #chatRequest(ctx: MessageContext, delivery: ClaimedDelivery) {
    if (!isChatPlatform(delivery.subscriberKind)) throw new Error(`${delivery.subscriberKind} is not a chat platform`);
    const body = chatBody(delivery.subscriberKind, chatMessage(ctx, delivery));
    return { body, headers: { 'content-type': 'application/json', 'user-agent': 'Candor-Chat/1' } };
  }

  #settle(batch: ClaimedBatch, outcome: PostOutcome): Promise<void> {
    return this.#record(batch, outcome.kind === 'sent' ? { kind: 'sent', ids: [null], limit: null } : outcome);
  }
}

/** The host a pause applies to (all of a platform's webhooks share its limits). */
function hostOf(address: string): string {
  try {
    return new URL(address).host;
  } catch {
    return address;
  }
}
