// Migrations: an existing database is backed up before pending migrations run, a fresh one is not.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { migrateDatabase } from '../src/db/migrate.ts';
import { freshDb } from './support/db.ts';

let file: string;

beforeEach(async () => {
  ({ file } = await freshDb());
});

describe('migrations', () => {
  test('an existing database is backed up before pending migrations run', async () => {
    // A database file that already holds data and has never seen these migrations.
    const old = join(dirname(file), 'old.db');
    const { createClient } = await import('@libsql/client');
    const client = createClient({ url: `file:${old}` });
    await client.execute('CREATE TABLE notes (text TEXT)');
    await client.execute("INSERT INTO notes VALUES ('written before the upgrade')");
    client.close();

    const result = await migrateDatabase(`file:${old}`);
    expect(result.applied.length).toBeGreaterThan(0);
    expect(result.backup).not.toBeNull();
    expect(readdirSync(join(dirname(file), 'backups'))).toHaveLength(1);
    const backup = createClient({ url: `file:${result.backup}` });
    expect((await backup.execute('SELECT text FROM notes')).rows.map((r) => r.text)).toEqual([
      'written before the upgrade',
    ]);
    // The backup is the state before migrating: none of Candor's tables yet.
    expect((await backup.execute("SELECT name FROM sqlite_master WHERE name = 'incidents'")).rows).toHaveLength(0);
    backup.close();

    // Nothing pending on the next start: no second backup.
    expect((await migrateDatabase(`file:${old}`)).backup).toBeNull();
  });

  test('a fresh database is migrated without a backup', async () => {
    expect(existsSync(join(dirname(file), 'backups'))).toBe(false);
  });
});
