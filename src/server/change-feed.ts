// Follows the shared change_events table. Every instance polls it, so a change committed through
// any instance invalidates every instance's cache and reaches every live viewer.
import { EventEmitter } from 'node:events';
import type { Client } from '@libsql/client';
import { logger } from './logger.ts';

export interface ChangeEvent {
  id: number;
  kind: string;
  subject: string;
}

const PRUNE_EVERY_MS = 10 * 60_000;

export class ChangeFeed extends EventEmitter<{ change: [ChangeEvent[]] }> {
  lastId = 0;
  /** When the table was last read successfully (epoch ms); readiness checks it. */
  readAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #again = false;
  #lastPrune = 0;
  readonly client: Client;
  readonly intervalMs: number;
  /** How long events are kept (CANDOR_KEEP_CHANGE_EVENTS_HOURS): a reader catching up needs minutes. */
  readonly keepMs: number;

  constructor(client: Client, intervalMs: number, keepMs = 24 * 3_600_000) {
    super();
    this.client = client;
    this.intervalMs = intervalMs;
    this.keepMs = keepMs;
  }

  async start(): Promise<void> {
    const rs = await this.client.execute('SELECT coalesce(max(id), 0) AS id FROM change_events');
    this.lastId = Number(rs.rows[0].id);
    this.readAt = Date.now();
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Polls now (after a local write) instead of waiting for the next tick. */
  pollSoon(): Promise<void> {
    if (this.#polling) {
      this.#again = true;
      return this.#polling;
    }
    this.#polling = this.#poll().finally(() => {
      this.#polling = undefined;
      if (this.#again) {
        this.#again = false;
        void this.pollSoon();
      }
    });
    return this.#polling;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.pollSoon().finally(() => {
        if (this.#timer) this.#schedule();
      });
    }, this.intervalMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    try {
      const rs = await this.client.execute({
        sql: 'SELECT id, kind, subject FROM change_events WHERE id > ? ORDER BY id LIMIT 1000',
        args: [this.lastId],
      });
      this.readAt = Date.now();
      if (rs.rows.length) {
        const events = rs.rows.map((r) => ({ id: Number(r.id), kind: String(r.kind), subject: String(r.subject) }));
        this.lastId = events[events.length - 1].id;
        this.emit('change', events);
      }
      const now = Date.now();
      if (now - this.#lastPrune > PRUNE_EVERY_MS) {
        this.#lastPrune = now;
        await this.client.execute({
          sql: 'DELETE FROM change_events WHERE created_at < ? AND id < ?',
          args: [now - this.keepMs, this.lastId],
        });
      }
    } catch (error) {
      // A database hiccup must not stop the feed; the next tick tries again.
      logger.error({ err: error }, 'change feed poll failed; trying again at the next tick');
    }
  }
}
