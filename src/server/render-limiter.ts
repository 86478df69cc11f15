// Bounds how many public pages render at once. A cache miss costs a database read and a render;
// a crowd of misses (distinct 404s, a cold start under load) must queue behind a few renders
// rather than all run together, and when even the queue is full they are told to come back.

export class OverloadedError extends Error {
  constructor() {
    super('Candor is busy rendering pages; try again in a moment.');
  }
}

export class RenderLimiter {
  readonly #max: number;
  readonly #maxQueue: number;
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(max: number, maxQueue: number) {
    this.#max = max;
    this.#maxQueue = maxQueue;
  }

  /** Runs `work` when a slot is free; throws OverloadedError when too many already wait. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) {
      if (this.#queue.length >= this.#maxQueue) throw new OverloadedError();
      await new Promise<void>((ok) => this.#queue.push(ok));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, so the count never dips and lets a newcomer jump the queue.
      const next = this.#queue.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
