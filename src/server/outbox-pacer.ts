// The spacing of email provider calls, learnt from the provider's per-second limit.
import type { Clock } from './clock.ts';

/**
 * Spaces provider calls so that no more than the provider's per-second limit start in any second
 * (plus a small margin for the trip there). Spending a call on a certain 429 would cost a whole
 * window; starting each call when its slot opens keeps the rate at the ceiling.
 */
export class Pacer {
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
