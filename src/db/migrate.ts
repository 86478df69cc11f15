// Applies drizzle-kit migrations from src/db/migrations. Before touching an existing local database
// that has pending migrations, it writes a consistent backup copy next to it (VACUUM INTO).
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@libsql/client';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { drizzle } from 'drizzle-orm/libsql';
import { databaseFilePath, databaseUrl, openClient } from './client.ts';

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

interface Journal {
  entries: { tag: string; when: number }[];
}

async function appliedMigrationTimes(client: Client): Promise<Set<number>> {
  const table = await client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'",
  );
  if (table.rows.length === 0) return new Set();
  const rows = await client.execute('SELECT created_at FROM __drizzle_migrations');
  return new Set(rows.rows.map((r) => Number(r.created_at)));
}

export async function pendingMigrations(client: Client): Promise<string[]> {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as Journal;
  const applied = await appliedMigrationTimes(client);
  return journal.entries.filter((e) => !applied.has(e.when)).map((e) => e.tag);
}

export interface MigrationResult {
  applied: string[];
  backup: string | null;
}

export async function migrateDatabase(url = databaseUrl()): Promise<MigrationResult> {
  const file = databaseFilePath(url);
  const existed = file !== null && existsSync(file) && statSync(file).size > 0;
  if (file) mkdirSync(dirname(resolve(file)), { recursive: true });
  const client = openClient(url);
  try {
    // WAL lets readers (the public pages) go on while a writer commits; it persists in the file.
    if (file) await client.execute('PRAGMA journal_mode = WAL');
    const pending = await pendingMigrations(client);
    if (pending.length === 0) return { applied: [], backup: null };
    let backup: string | null = null;
    if (file && existed) {
      const dir = join(dirname(resolve(file)), 'backups');
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      backup = join(dir, `${stamp}-before-${pending[0]}.db`);
      await client.execute({ sql: 'VACUUM INTO ?', args: [backup] });
    }
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    return { applied: pending, backup };
  } finally {
    client.close();
  }
}
