// The outbox worker against a provider's per-second limit, on a virtual clock: time moves only
// when every lane is waiting on it, so the schedule is exact and no machine's speed or load can
// change it. The real server against a real HTTP provider is in outbox-server.test.ts.
import { createClient } from '@libsql/client';
import { expect, test } from 'vitest';
import { createIncident } from '../src/domain/incidents.ts';
import type { EmailMessage } from '../src/domain/notify/email.ts';
import type { BatchEmailProvider, SendOutcome } from '../src/server/email-provider.ts';
import { outboxConfig } from '../src/server/outbox-config.ts';
import type { Clock } from '../src/server/clock.ts';
import { OutboxWorker } from '../src/server/outbox-worker.ts';
import { freshDb } from './support/db.ts';
import { addConfirmedSubscribers } from './support/subscribers.ts';

class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: { at: number; seq: number; fire: () => void }[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fire: () => void): () => void {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fire };
    this.#timers.push(timer);
    return () => (this.#timers = this.#timers.filter((t) => t !== timer));
  }

  get waiting(): number {
    return this.#timers.length;
  }

  /** Moves time to the earliest timer and fires it (timers due together fire in the order set). */
  step(): void {
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const timer = this.#timers.shift()!;
    this.#now = Math.max(this.#now, timer.at);
    timer.fire();
  }

  /** Lets real work (database calls) finish until `parties` wait on the clock. */
  async settle(parties: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (this.waiting < parties) {
      if (Date.now() > deadline) throw new Error(`only ${this.waiting} of ${parties} lanes came back to the clock`);
      await new Promise((ok) => setImmediate(ok));
    }
  }
}

interface Call {
  at: number;
  answeredAt: number;
  key: string;
  limited: boolean;
}

/** Resend's rules: so many calls per second (a window from the first call), 429 with Retry-After after that, idempotency keys. */
class LimitedProvider implements BatchEmailProvider {
  readonly mode = 'batch';
  readonly label = 'limited';
  readonly calls: Call[] = [];
  readonly accepted = new Map<string, string[]>();
  #windowStart = -Infinity;
  #inWindow = 0;

  readonly #clock: VirtualClock;
  readonly perSecond = 2;
  readonly latencyMs = 40;
  readonly retryAfterMs = 1000;

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  async sendBatch(emails: EmailMessage[], key: string): Promise<SendOutcome> {
    const at = this.#clock.now();
    if (at - this.#windowStart >= 1000) {
      this.#windowStart = at;
      this.#inWindow = 0;
    }
    const limited = this.#inWindow >= this.perSecond;
    if (!limited) this.#inWindow++;
    await new Promise<void>((ok) => this.#clock.after(this.latencyMs, ok));
    this.calls.push({ at, answeredAt: this.#clock.now(), key, limited });
    if (limited) return { kind: 'rate-limited', retryAfterMs: this.retryAfterMs, message: 'Too many requests' };
    if (this.accepted.has(key)) return { kind: 'already-sent', message: 'already accepted' };
    this.accepted.set(
      key,
      emails.map((e) => e.to),
    );
    return { kind: 'sent', ids: emails.map((_, i) => `${key}:${i}`), limit: this.perSecond };
  }
}

test('429: the lanes wait out Retry-After together, pace themselves to the limit, and lose nobody', async () => {
  const { db, file } = await freshDb();
  const addresses = await addConfirmedSubscribers(file, 650);
  const start = Date.UTC(2026, 0, 5, 9, 0, 0);
  await createIncident(
    db,
    { title: 'Fan-out', impact: 'major', message: 'Checking.' },
    { id: null, name: 'Ops' },
    start,
  );
  const clock = new VirtualClock(start);
  const provider = new LimitedProvider(clock);
  const lanes = 4;
  const worker = new OutboxWorker({
    db,
    ctx: { siteName: 'Example Status', publicUrl: 'https://status.example.com', timeZone: 'UTC' },
    config: { ...outboxConfig({}), emailLanes: lanes, webhookLanes: 0, chatLanes: 0, pollMs: 1000 },
    email: provider,
    clock,
  });
  worker.start();
  await clock.settle(lanes);
  while ([...provider.accepted.values()].flat().length < addresses.length) {
    expect(clock.now() - start, 'virtual time spent').toBeLessThan(60_000);
    clock.step();
    await clock.settle(lanes);
  }
  await worker.stop();

  // Everyone exactly once, and recorded as sent.
  expect([...provider.accepted.values()].flat().sort()).toEqual([...addresses].sort());
  const client = createClient({ url: `file:${file}` });
  const sent = await client.execute(`select count(*) as n from deliveries where state = 'sent'`);
  client.close();
  expect(Number(sent.rows[0].n)).toBe(addresses.length);

  const limited = provider.calls.filter((c) => c.limited);
  // Four lanes start together before the limit is known: two calls fit the first second, two meet a 429.
  expect(limited.length).toBeGreaterThan(0);
  // Only calls already under way before the limit was learnt meet a 429: at most one per lane.
  expect(limited.length).toBeLessThanOrEqual(lanes);
  for (const l of limited) {
    // From the 429's answer until Retry-After has passed, no lane starts a call.
    const early = provider.calls.filter((c) => c.at > l.answeredAt && c.at < l.answeredAt + provider.retryAfterMs);
    expect(early).toEqual([]);
    // The batch it refused goes again, no sooner.
    const retry = provider.calls.find((c) => c.key === l.key && c.at > l.at)!;
    expect(retry.at).toBeGreaterThanOrEqual(l.answeredAt + provider.retryAfterMs);
  }
  // Once the limit is known, calls start at most two to a second.
  const learnt = provider.calls.find((c) => !c.limited)!.answeredAt;
  const paced = provider.calls.filter((c) => c.at >= learnt);
  for (const c of paced) expect(paced.filter((o) => o.at >= c.at && o.at < c.at + 1000).length).toBeLessThanOrEqual(2);
  // 650 emails are seven batches of at most 100, each accepted once.
  expect(provider.calls.filter((c) => !c.limited)).toHaveLength(7);
});
