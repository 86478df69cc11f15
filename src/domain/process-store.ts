// An AsyncLocalStorage shared by the whole process. The server and the built pages each load the
// domain modules (the pages from their bundle), so a store made per module would be two stores;
// one registered under a global symbol is the same for both.
import { AsyncLocalStorage } from 'node:async_hooks';

export function processStore<T>(name: string): AsyncLocalStorage<T> {
  const key = Symbol.for(name);
  const global = globalThis as Record<symbol, unknown>;
  return ((global[key] as AsyncLocalStorage<T> | undefined) ??= new AsyncLocalStorage<T>());
}
