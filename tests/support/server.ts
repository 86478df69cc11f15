// Starts the real built server (src/server/serve.ts on the pinned Node) on a loopback port with
// its own temporary database, and reads the URL and setup link it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface TestServer {
  /** Where the test reaches it (loopback by address). */
  url: string;
  /** The address it printed, which every link it writes starts with. */
  publicUrl: string;
  setupLink: string | null;
  dbFile: string;
  /** The server's process id (benchmarks read its memory from /proc). */
  pid: number;
  output: () => string;
  /** The log's messages, one per line (the server logs JSON lines; other output is kept as is). */
  messages: () => string;
  stop: () => Promise<void>;
  /** SIGKILL: the process dies mid-work, as in a crash or an OOM kill. */
  kill: () => Promise<void>;
}

export function tempDbFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'candor-srv-')), 'candor.db');
}

export async function startServer(
  options: { dbFile?: string; databaseUrl?: string; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const dbFile = options.dbFile ?? tempDbFile();
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'src/server/serve.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl ?? `file:${dbFile}`,
      PORT: '0',
      HOST: '127.0.0.1',
      CANDOR_POLL_MS: '100',
      // Local receivers (webhooks, chat platforms) listen on loopback, which Candor otherwise refuses.
      CANDOR_OUTBOUND_ALLOW: '127.0.0.1/32,::1/128',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let publicUrl = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const text = messages(out);
      const listening = /listening on (\S+)\n/.exec(text);
      const printed = /status page: (https?:\/\/\S+?)\/\n/.exec(text);
      if (listening && printed && /^(create the first admin|admin:)/m.test(text)) {
        clearTimeout(timer);
        publicUrl = printed[1];
        ok(`http://${listening[1]}`);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
  });
  const setup = /one-time link, valid 24 h\): (\S+)/.exec(messages(out));
  return {
    url,
    publicUrl,
    setupLink: setup ? setup[1].replace(publicUrl, url) : null,
    dbFile,
    pid: child.pid!,
    output: () => out,
    messages: () => messages(out),
    stop: () => signal(child, 'SIGTERM'),
    kill: () => signal(child, 'SIGKILL'),
  };
}

/** The `msg` of each complete JSON log line, other lines as they are. */
export function messages(out: string): string {
  return out
    .split('\n')
    .slice(0, -1)
    .map((line) => {
      try {
        const parsed = JSON.parse(line) as { msg?: unknown };
        return typeof parsed.msg === 'string' ? parsed.msg : line;
      } catch {
        return line;
      }
    })
    .map((line) => line + '\n')
    .join('');
}

function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  return new Promise<void>((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    child.once('exit', () => ok());
    child.kill(name);
  });
}
