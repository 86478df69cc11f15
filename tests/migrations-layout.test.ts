// The database code moved from db/ to src/db/ (schema split per area, migrations beside it). A
// database made by the previous layout — the demo seeded with migrations from db/migrations,
// dumped to tests/fixtures/before-src-db-layout.sql — upgrades with nothing to apply and its data
// intact, because applied migrations are recorded by journal entry, not by path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, test } from 'vitest';
import { migrateDatabase, pendingMigrations } from '../src/db/migrate.ts';
import { tempDbFile } from './support/server.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures/before-src-db-layout.sql');

async function tables(file: string): Promise<Record<string, string>> {
  const client = createClient({ url: `file:${file}` });
  const rows = await client.execute(
    "select name, sql from sqlite_master where type in ('table', 'index', 'trigger') and sql is not null order by name",
  );
  client.close();
  return Object.fromEntries(rows.rows.map((r) => [String(r.name), String(r.sql)]));
}

describe('migrations across the move to src/db', () => {
  test('a database made by the previous layout has nothing pending, keeps its data and matches a fresh one', async () => {
    const old = tempDbFile();
    const client = createClient({ url: `file:${old}` });
    await client.executeMultiple(readFileSync(FIXTURE, 'utf8'));
    expect(await pendingMigrations(client)).toEqual([]);
    const before = (await client.execute('select count(*) as n from incidents')).rows[0].n;
    client.close();
    expect(Number(before)).toBeGreaterThan(0);

    const result = await migrateDatabase(`file:${old}`);
    expect(result).toEqual({ applied: [], backup: null });

    const fresh = tempDbFile();
    await migrateDatabase(`file:${fresh}`);
    expect(await tables(old)).toEqual(await tables(fresh));
    const after = createClient({ url: `file:${old}` });
    expect((await after.execute('select count(*) as n from incidents')).rows[0].n).toBe(before);
    after.close();
  });
});
