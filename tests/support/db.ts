// A fresh, migrated libSQL database file per call, for domain tests.
import { createClient } from '@libsql/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, getDb, type Db } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';

export async function freshDb(): Promise<{ db: Db; file: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'candor-test-')), 'candor.db');
  closeDb();
  process.env.DATABASE_URL = `file:${file}`;
  await migrateDatabase();
  return { db: getDb(), file };
}

/** Rows of one query on the database file a test server uses (a client of its own, closed after). */
export async function queryRows(dbFile: string, sql: string, args: (string | number)[] = []) {
  const client = createClient({ url: `file:${dbFile}` });
  try {
    return (await client.execute({ sql, args })).rows;
  } finally {
    client.close();
  }
}
