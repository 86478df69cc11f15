// Optional scheduled backups (CANDOR_BACKUP_DIR): a consistent copy every CANDOR_BACKUP_EVERY_HOURS
// (default 24), keeping the newest CANDOR_BACKUP_KEEP (default 7). Run by the one process that
// prepares the database (the single server, or the cluster's primary), never by every worker.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupDatabase, pruneBackups, scheduledName } from '../db/backup.ts';
import { databaseFilePath } from '../db/client.ts';
import { systemClock, type Clock } from './clock.ts';

export interface BackupSchedule {
  dir: string;
  everyMs: number;
  keep: number;
}

/** The schedule the environment asks for, null when none; a bad value is an error that says how to fix it. */
export function backupSchedule(env: NodeJS.ProcessEnv = process.env): BackupSchedule | null {
  const dir = env.CANDOR_BACKUP_DIR?.trim();
  if (!dir) return null;
  if (databaseFilePath(env.DATABASE_URL || 'file:data/candor.db') === null)
    throw new Error(
      'CANDOR_BACKUP_DIR works with a local database file only; back up a libSQL server on the server itself.',
    );
  const hours = Number(env.CANDOR_BACKUP_EVERY_HOURS ?? 24);
  if (!(hours > 0))
    throw new Error(
      `CANDOR_BACKUP_EVERY_HOURS must be a number of hours above 0 (e.g. 6 or 0.5); it is "${env.CANDOR_BACKUP_EVERY_HOURS}".`,
    );
  const keep = Number(env.CANDOR_BACKUP_KEEP ?? 7);
  if (!Number.isInteger(keep) || keep < 1)
    throw new Error(`CANDOR_BACKUP_KEEP must be a whole number of backups from 1; it is "${env.CANDOR_BACKUP_KEEP}".`);
  return { dir: resolve(dir), everyMs: hours * 3_600_000, keep };
}

/** Takes one backup now and prunes the old ones; returns the new file. */
export async function takeScheduledBackup(schedule: BackupSchedule, now: Date): Promise<string> {
  mkdirSync(schedule.dir, { recursive: true });
  const { file } = await backupDatabase(join(schedule.dir, scheduledName(now)));
  pruneBackups(schedule.dir, schedule.keep);
  return file;
}

/** Backs up on the schedule until the returned stop is called. A failed backup is logged and tried at the next turn. */
export function startScheduledBackups(
  schedule: BackupSchedule,
  log: (line: string) => void,
  clock: Clock = systemClock,
): () => Promise<void> {
  let cancel = () => {};
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const turn = () => {
    cancel = clock.after(schedule.everyMs, () => {
      running = takeScheduledBackup(schedule, new Date(clock.now()))
        .then((file) => log(`[candor] backup: ${file}`))
        .catch((error: unknown) => log(`[candor] backup failed: ${(error as Error).message}`))
        .finally(() => {
          if (!stopped) turn();
        });
    });
  };
  turn();
  log(`[candor] backups every ${schedule.everyMs / 3_600_000} h to ${schedule.dir}, keeping ${schedule.keep}`);
  return async () => {
    stopped = true;
    cancel();
    await running;
  };
}
