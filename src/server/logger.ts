// Candor's log: JSON lines (pino) for log collectors, human-readable when a person watches it in a
// terminal. LOG_LEVEL picks how much (trace, debug, info, warn, error; default info). Lines about
// a request carry its id (X-Request-Id), which is also stored with the audit entries it wrote and
// the messages it queued, so one id finds everything a request caused.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function level(): string {
  const wanted = (process.env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!LEVELS.includes(wanted))
    throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}; it is "${process.env.LOG_LEVEL}".`);
  return wanted;
}

function create(): Logger {
  const options = { level: level(), base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  // Synchronous pretty printing: a terminal is read by a person, never at thousands of lines a second.
  if (process.stdout.isTTY) return pino(options, pretty({ colorize: true, sync: true, ignore: 'pid' }));
  return pino(options, pino.destination({ sync: true }));
}

export const logger: Logger = create();

// Start-up and lifecycle lines (where the page is, the setup link, migrations, backups, a process
// replaced) are few and are what an operator must see: they show at every level but silent.
const lifecycle = logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });

/** The one-line `log` callbacks the server's parts take, as lifecycle lines ("[candor] " dropped). */
export function logLine(line: string): void {
  lifecycle.info(line.replace(/^\[candor\] /, ''));
}
