// `npm run serve` (and `npm start` after building): runs Candor until SIGINT or SIGTERM, as one
// process or, with CANDOR_PROCESSES above 1, as the primary of that many (cluster.ts).
import { availableParallelism } from 'node:os';
import { runCluster } from './cluster.ts';
import { startCandor } from './main.ts';
import { logLine } from './logger.ts';
import { backupSchedule, startScheduledBackups } from './scheduled-backups.ts';

/** CANDOR_PROCESSES: a whole number from 1, or `auto` for one per core. */
export function processCount(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  if (value === 'auto') return availableParallelism();
  if (!/^[1-9]\d{0,2}$/.test(value))
    throw new Error(`CANDOR_PROCESSES must be a whole number from 1, or "auto"; it is "${value}".`);
  return Number(value);
}

export async function serveUntilStopped(): Promise<void> {
  const processes = processCount(process.env.CANDOR_PROCESSES);
  if (processes > 1) return runCluster(processes);
  const schedule = backupSchedule();
  const running = await startCandor();
  const stopBackups = schedule ? startScheduledBackups(schedule, logLine) : async () => {};
  const stop = () => void Promise.all([running.close(), stopBackups()]).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.main) await serveUntilStopped();
