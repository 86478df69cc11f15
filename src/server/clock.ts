// Time as the server's timed work sees it (the outbox's pacing, scheduled backups); tests drive a
// virtual one, so schedules are checked exactly, not by the wall clock.
export interface Clock {
  now(): number;
  /** Calls `fire` after `ms`; the returned function cancels it. */
  after(ms: number, fire: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fire) => {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};
