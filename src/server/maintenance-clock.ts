// Runs the maintenance clock (reminders, automatic start and completion) in every instance.
// Steps are compare-and-set in the database, so several instances ticking together are safe.
import type { Db } from '../db/client.ts';
import { runMaintenanceClock } from '../domain/maintenance.ts';

export class MaintenanceClock {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  readonly #db: Db;
  readonly #everyMs: number;
  readonly #onChange: () => void;
  readonly #log: (line: string) => void;

  constructor(db: Db, everyMs: number, onChange: () => void, log: (line: string) => void) {
    this.#db = db;
    this.#everyMs = everyMs;
    this.#onChange = onChange;
    this.#log = log;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.#everyMs);
    this.#timer.unref();
    void this.tick();
  }

  async tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        const result = await runMaintenanceClock(this.#db);
        if (result.reminded.length || result.started.length || result.completed.length) this.#onChange();
      } catch (error) {
        this.#log(`[candor] maintenance clock: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
