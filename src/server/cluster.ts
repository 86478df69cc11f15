// CANDOR_PROCESSES=N: N serving processes on one machine sharing one port (node:cluster), so a
// status page uses every core. The primary migrates and seeds once, forks the processes, prints
// the addresses and the setup link once, restarts a process that dies, and relays "read the feed
// now" from the process that took a write to its siblings. Each process keeps its own cache and
// live connections and follows the shared change feed like any other instance; the relay only
// saves its siblings the wait for their next poll.
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { publicUrl } from '../domain/public-url.ts';
import { logLine } from './logger.ts';
import { announce, defaultPublicUrl, listenHost, listeningAddress, prepareDatabase, startCandor } from './main.ts';
import { backupSchedule, startScheduledBackups } from './scheduled-backups.ts';

const RESTART_DELAY_MS = 500;

type ClusterMessage = { candor: 'listening'; port: number } | { candor: 'poll' };

function isClusterMessage(message: unknown): message is ClusterMessage {
  return typeof message === 'object' && message !== null && 'candor' in message;
}

export async function runCluster(count: number): Promise<void> {
  if (cluster.isWorker) return serveAsWorker();
  const log = logLine;
  const schedule = backupSchedule();
  await prepareDatabase(log);
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./serve.ts', import.meta.url)) });

  let stopping = false;
  const workers = new Set<Worker>();
  const ports: Promise<number>[] = [];
  const fork = (): Promise<number> => {
    const worker = cluster.fork();
    workers.add(worker);
    const listening = new Promise<number>((ok, fail) => {
      worker.once('exit', (code) => fail(new Error(`a Candor process exited with ${code} while starting`)));
      worker.on('message', (message: unknown) => {
        if (!isClusterMessage(message)) return;
        if (message.candor === 'listening') ok(message.port);
        else for (const sibling of workers) if (sibling !== worker) sibling.send(message);
      });
    });
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      log(`[candor] process ${worker.process.pid} ended (${signal ?? code}); starting another`);
      // A pause, so a process that cannot start does not make the primary spin.
      setTimeout(() => {
        if (!stopping) void fork().catch((error: unknown) => log(`[candor] ${(error as Error).message}`));
      }, RESTART_DELAY_MS);
    });
    return listening;
  };
  for (let i = 0; i < count; i++) ports.push(fork());
  const [port] = await Promise.all(ports);

  const host = listenHost();
  defaultPublicUrl(host, port);
  log(`[candor] ${count} processes serve this port`);
  await announce(publicUrl(), listeningAddress(host, port), log);
  const stopBackups = schedule ? startScheduledBackups(schedule, log) : async () => {};

  const stop = () => {
    stopping = true;
    void stopBackups();
    const exits = [...workers].map((w) => new Promise((ok) => w.once('exit', ok)));
    for (const worker of workers) worker.process.kill('SIGTERM');
    void Promise.all(exits).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function serveAsWorker(): Promise<void> {
  const running = await startCandor({
    clusterWorker: true,
    onLocalWrite: () => process.send?.({ candor: 'poll' } satisfies ClusterMessage),
  });
  process.on('message', (message: unknown) => {
    if (isClusterMessage(message) && message.candor === 'poll') running.pollNow();
  });
  process.send?.({ candor: 'listening', port: running.port } satisfies ClusterMessage);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The primary is gone (killed): do not serve on alone.
  process.once('disconnect', stop);
}
