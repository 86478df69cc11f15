// One writer at a time per process for a local database file. libSQL runs a local file's
// statements synchronously, so a write that meets another connection's open transaction would
// block the whole event loop in SQLite's busy wait — and the transaction it waits for could
// never finish. Queuing writes here (transactions for their whole life) avoids that; other
// processes on the same file are still handled by SQLite's own locking.
import type { Client, InArgs, InStatement, Transaction, TransactionMode } from '@libsql/client';

/** A waiter that never gets the lock means a write was attempted inside a transaction on the outer handle. */
const LOCK_WAIT_LIMIT_MS = 30_000;

class AsyncLock {
  #held = false;
  #waiters: (() => void)[] = [];

  async acquire(): Promise<() => void> {
    if (this.#held) {
      await new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== wake);
          fail(
            new Error(
              'Waited 30 s for the database write lock: a write was probably issued on the database handle inside a transaction (use the transaction instead).',
            ),
          );
        }, LOCK_WAIT_LIMIT_MS);
        const wake = () => {
          clearTimeout(timer);
          ok();
        };
        this.#waiters.push(wake);
      });
    }
    this.#held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#held = false;
    };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

function isRead(stmt: InStatement | string): boolean {
  const text = typeof stmt === 'string' ? stmt : stmt.sql;
  return /^\s*select\b/i.test(text);
}

// One queue per process, on globalThis: this module is loaded twice in one process (by the front
// server from src/ and by Astro's bundle in dist/), and both copies' clients must share it.
const LOCK = Symbol.for('candor.db.write-lock');
const shared = globalThis as typeof globalThis & { [LOCK]?: AsyncLock };

/** Wraps a client so its writes and write transactions run one at a time, process-wide. */
export function serializeWrites(client: Client): Client {
  const lock = (shared[LOCK] ??= new AsyncLock());
  const wrapped: Partial<Client> = {
    execute: (stmt: InStatement | string, args?: InArgs) =>
      isRead(stmt) ? client.execute(stmt as string, args) : lock.run(() => client.execute(stmt as string, args)),
    batch: (stmts, mode) => lock.run(() => client.batch(stmts, mode)),
    migrate: (stmts) => lock.run(() => client.migrate(stmts)),
    executeMultiple: (sql) => lock.run(() => client.executeMultiple(sql)),
    transaction: async (mode?: TransactionMode) => {
      if (mode === 'read') return client.transaction(mode);
      const release = await lock.acquire();
      let tx: Transaction;
      try {
        tx = await client.transaction(mode);
      } catch (error) {
        release();
        throw error;
      }
      const end = <T>(p: Promise<T>) => p.finally(release);
      const handle: Transaction = {
        get closed() {
          return tx.closed;
        },
        execute: (stmt: InStatement) => tx.execute(stmt),
        batch: (stmts: InStatement[]) => tx.batch(stmts),
        executeMultiple: (sql: string) => tx.executeMultiple(sql),
        commit: () => end(tx.commit()),
        rollback: () => end(tx.rollback()),
        close: () => {
          tx.close();
          release();
        },
      };
      return handle;
    },
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop in wrapped) return wrapped[prop as keyof Client];
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
