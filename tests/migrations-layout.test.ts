// The database code moved from db/ to src/db/ (schema split per area, migrations beside it). A
// database made by the previous layout — the demo seeded with migrations from db/migrations,
// dumped to tests/fixtures/before-src-db-layout.sql — has nothing of the move to apply (only the
// migrations written since) and keeps its data, because applied migrations are recorded by
// journal entry, not by path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, test } from 'vitest';
import { MIGRATIONS_FOLDER, migrateDatabase, pendingMigrations } from '../src/db/migrate.ts';
import { tempDbFile } from './support/server.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures/before-src-db-layout.sql');
/** The last migration the fixture's layout had; any later one is new work, pending there as anywhere. */
const LAST_BEFORE_MOVE = '0009_alert_group_state';
const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
  entries: { tag: string }[];
};
const tags = journal.entries.map((e) => e.tag);
const SINCE_MOVE = tags.slice(tags.indexOf(LAST_BEFORE_MOVE) + 1);

async function tables(file: string): Promise<Record<string, string>> {
  const client = createClient({ url: `file:${file}` });
  const rows = await client.execute(
    "select name, sql from sqlite_master where type in ('table', 'index', 'trigger') and sql is not null order by name",
  );
  client.close();
  return Object.fromEntries(rows.rows.map((r) => [String(r.name), String(r.sql)]));
}

describe('migrations across the move to src/db', () => {
  test('a database made by the previous layout has only later migrations pending, keeps its data and matches a fresh one', async () => {
    const old = tempDbFile();
    const client = createClient({ url: `file:${old}` });
    await client.executeMultiple(readFileSync(FIXTURE, 'utf8'));
    expect(tags).toContain(LAST_BEFORE_MOVE);
    expect(await pendingMigrations(client)).toEqual(SINCE_MOVE);
    const before = (await client.execute('select count(*) as n from incidents')).rows[0].n;
    client.close();
    expect(Number(before)).toBeGreaterThan(0);

    const result = await migrateDatabase(`file:${old}`);
    expect(result.applied).toEqual(SINCE_MOVE);

    const fresh = tempDbFile();
    await migrateDatabase(`file:${fresh}`);
    expect(await tables(old)).toEqual(await tables(fresh));
    const after = createClient({ url: `file:${old}` });
    expect((await after.execute('select count(*) as n from incidents')).rows[0].n).toBe(before);
    after.close();
  });
});
