// The id of the request being served, for tying together what one request caused: its log lines,
// the audit entries it wrote and the messages it queued. Kept like the audit actor: one store for
// the process, although the server and the built pages each load this module.
import { processStore } from './process-store.ts';

const store = processStore<string>('candor.request.id');

export function runWithRequestId<T>(id: string, fn: () => T): T {
  return store.run(id, fn);
}

/** The current request's id, or null outside a request (the clock, the CLI, a worker). */
export function currentRequestId(): string | null {
  return store.getStore() ?? null;
}

/** A proxy's X-Request-Id is kept when it is a plain token; otherwise a new one is made. */
export function acceptableRequestId(value: string | string[] | undefined): string | null {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{8,64}$/.test(value) ? value : null;
}
