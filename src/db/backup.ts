// Backups of a local database file. `backup` takes a consistent copy while Candor runs and writes
// (VACUUM INTO reads one snapshot under WAL, so writers are not stopped and the copy is never half
// a transaction); `restore` puts a copy back only after it passes SQLite's integrity check and is
// recognised as a Candor database this version can run. Scheduled backups reuse the same copy.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { databaseFilePath, databaseUrl, openClient } from './client.ts';
import { migrateDatabase, pendingMigrations } from './migrate.ts';

/** A backup or restore that cannot be done as asked; the message says what to do instead. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const REMOTE_HOW_TO =
  'DATABASE_URL names a libSQL server, whose data Candor cannot copy from here: back up the server itself (see "Backups" in the README).';

function localFile(url: string): string {
  const file = databaseFilePath(url);
  if (file === null) throw new BackupError(REMOTE_HOW_TO);
  return resolve(file);
}

export interface BackupResult {
  file: string;
  bytes: number;
}

/** Writes a consistent copy of the running database to `target` (which must not exist yet). */
export async function backupDatabase(target: string, url = databaseUrl()): Promise<BackupResult> {
  const source = localFile(url);
  if (!existsSync(source)) throw new BackupError(`There is no database at ${source} to back up.`);
  const file = resolve(target);
  if (existsSync(file)) throw new BackupError(`${file} already exists; name a new file, so no backup is overwritten.`);
  mkdirSync(dirname(file), { recursive: true });
  // Written beside the target and renamed: a backup interrupted half-way never looks complete.
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const client = openClient(url);
  try {
    await client.execute({ sql: 'VACUUM INTO ?', args: [partial] });
  } finally {
    client.close();
  }
  const problems = await backupProblems(partial);
  if (problems.length) {
    rmSync(partial, { force: true });
    throw new BackupError(`The copy failed its check: ${problems.join(' ')}`);
  }
  renameSync(partial, file);
  return { file, bytes: statSync(file).size };
}

/**
 * What stops `file` being restored, as sentences; empty when it is a sound Candor database this
 * version can run (an older one is fine: it is migrated after the restore).
 */
export async function backupProblems(file: string): Promise<string[]> {
  if (!existsSync(file)) return [`There is no file at ${file}.`];
  const client = createClient({ url: `file:${file}` });
  try {
    let integrity: string[];
    try {
      const rows = await client.execute('PRAGMA integrity_check');
      integrity = rows.rows.map((r) => String(Object.values(r)[0]));
    } catch (error) {
      const message = (error as Error).message;
      return /CORRUPT|malformed/.test(message)
        ? [`${file} is damaged: SQLite finds it malformed, so it fails the integrity check.`]
        : [`${file} is not a database SQLite can read (${message}).`];
    }
    if (integrity.join() !== 'ok')
      return [`${file} fails SQLite's integrity check: ${integrity.slice(0, 3).join('; ')}.`];
    const tables = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
    const names = new Set(tables.rows.map((r) => String(r.name)));
    if (!names.has('__drizzle_migrations') || !names.has('incidents'))
      return [`${file} is a database, but not a Candor database (it has no migrations or incidents table).`];
    const applied = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
    const pending = await pendingMigrations(client);
    const known = Number(applied.rows[0].n) + pending.length;
    const journalSize = await journalLength();
    if (known > journalSize)
      return [
        `${file} was written by a newer Candor (it has migrations this version does not know); restore it with that version.`,
      ];
    return [];
  } finally {
    client.close();
  }
}

async function journalLength(): Promise<number> {
  // Every migration the journal lists is pending on an empty in-memory database.
  const empty = createClient({ url: ':memory:' });
  try {
    return (await pendingMigrations(empty)).length;
  } finally {
    empty.close();
  }
}

export interface RestoreResult {
  /** The database as it was before the restore, kept beside it; null when there was none. */
  previous: string | null;
  migrated: string[];
}

/**
 * Replaces the database with `source` after checking it. Stop Candor first: a running instance
 * keeps the file it opened. The database being replaced is kept in backups/ beside it.
 */
export async function restoreDatabase(source: string, url = databaseUrl()): Promise<RestoreResult> {
  const target = localFile(url);
  const from = resolve(source);
  if (from === target) throw new BackupError('That file is the database itself; name a backup to restore from.');
  const problems = await backupProblems(from);
  if (problems.length) throw new BackupError(`Nothing was changed: ${problems.join(' ')}`);
  let previous: string | null = null;
  if (existsSync(target) && statSync(target).size > 0) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    previous = join(dirname(target), 'backups', `${stamp}-before-restore-of-${basename(from)}`);
    await backupDatabase(previous, `file:${target}`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const incoming = `${target}.restoring`;
  copyFileSync(from, incoming);
  // The old file's write-ahead log belongs to the old file: left beside the new one, SQLite would
  // replay it into the restored data.
  for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
  renameSync(incoming, target);
  const migration = await migrateDatabase(`file:${target}`);
  return { previous, migrated: migration.applied };
}

/** Keeps the newest `keep` scheduled backups in `dir` (those named by `scheduledName`). */
export function pruneBackups(dir: string, keep: number): string[] {
  const ours = readdirSync(dir)
    .filter((name) => SCHEDULED.test(name))
    .sort()
    .reverse();
  const removed = ours.slice(keep).map((name) => join(dir, name));
  for (const file of removed) rmSync(file, { force: true });
  return removed;
}

const SCHEDULED = /^candor-\d{8}T\d{6}Z\.db$/;

/** candor-20261201T101500Z.db: sorts by time, and pruning touches nothing else in the folder. */
export function scheduledName(at: Date): string {
  return `candor-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.db`;
}
