// Candor's command line, for setup and automation without a browser:
//   npm run candor -- user create --email a@example.com --name "Ada" --role admin [--password P] [--token NAME]
//   npm run candor -- token create --email a@example.com [--name NAME] [--scope read|support|admin]
//   npm run candor -- migrate
//   npm run candor -- backup FILE      (a consistent copy, while Candor runs)
//   npm run candor -- restore FILE     (Candor stopped; refuses a file that fails the integrity check)
//   npm run candor -- import statuspage --from URL | --page-id ID --api-key KEY [--api-base URL] [--dry-run]
// A password not given is generated and printed once. Output is one "key: value" per line.
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { users } from '../db/schema/index.ts';
import { closeDb, getDb } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { BackupError, backupDatabase, restoreDatabase } from '../db/backup.ts';
import type { TokenScope } from '../domain/auth/roles.ts';
import { createApiToken, createUser } from '../domain/auth/users.ts';
import { InputError } from '../domain/errors.ts';
import { importStatuspage, type ImportTarget } from '../domain/import/statuspage-import.ts';
import { formatSummary } from '../domain/import/import-summary.ts';
import { markInitialised } from '../seed/first-start.ts';
import { progressPrinter } from './progress.ts';

const USAGE = `Usage:
  npm run candor -- user create --email EMAIL --name NAME --role admin|support|author [--password PASSWORD] [--token TOKEN_NAME] [--scope SCOPE]
  npm run candor -- token create --email EMAIL [--name TOKEN_NAME] [--scope read|support|admin]
  npm run candor -- migrate
  npm run candor -- backup FILE
  npm run candor -- restore FILE
  npm run candor -- import statuspage --from https://status.example.com [--dry-run]
  npm run candor -- import statuspage --page-id PAGE_ID --api-key KEY [--api-base URL] [--dry-run]
    (the key may come from STATUSPAGE_API_KEY instead, to keep it out of the shell's history)`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      token: { type: 'string' },
      scope: { type: 'string' },
      from: { type: 'string' },
      'page-id': { type: 'string' },
      'api-key': { type: 'string' },
      'api-base': { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals.join(' ');
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // Backups name their file as the second word; they must not migrate the database first.
  if (positionals[0] === 'backup' || positionals[0] === 'restore') {
    const file = positionals[1];
    if (!file || positionals.length > 2)
      throw new BackupError(`Name one file: npm run candor -- ${positionals[0]} FILE`);
    if (positionals[0] === 'backup') {
      const made = await backupDatabase(file);
      console.log(`backup: ${made.file}\nbytes: ${made.bytes}`);
    } else {
      const restored = await restoreDatabase(file);
      console.log(`restored: ${file}`);
      if (restored.previous) console.log(`previous: ${restored.previous}`);
      if (restored.migrated.length) console.log(`migrated: ${restored.migrated.join(', ')}`);
    }
    return 0;
  }
  await migrateDatabase();
  const db = getDb();
  switch (command) {
    case 'migrate':
      console.log('migrated: yes');
      return 0;
    case 'user create': {
      const generated = values.password === undefined;
      const password = values.password ?? randomBytes(15).toString('base64url');
      const user = await createUser(db, { email: values.email, name: values.name, role: values.role, password });
      console.log(`user: ${user.id}\nemail: ${user.email}\nrole: ${user.role}`);
      if (generated) console.log(`password: ${password}`);
      if (values.token !== undefined)
        console.log(
          `token: ${await createApiToken(db, user.id, values.token || 'cli', Date.now(), (values.scope ?? 'admin') as TokenScope)}`,
        );
      return 0;
    }
    case 'token create': {
      if (!values.email) throw new InputError('--email is required: whose token is it?');
      const [user] = await db.select().from(users).where(eq(users.email, values.email.trim().toLowerCase()));
      if (!user) throw new InputError(`No user with the email ${values.email}.`);
      console.log(
        `token: ${await createApiToken(db, user.id, values.name ?? 'cli', Date.now(), (values.scope ?? 'admin') as TokenScope)}`,
      );
      return 0;
    }
    case 'import statuspage': {
      const apiKey = values['api-key'] ?? process.env.STATUSPAGE_API_KEY;
      let target: ImportTarget;
      if (values.from !== undefined && values['page-id'] === undefined) target = { mode: 'public', url: values.from };
      else if (values['page-id'] !== undefined && values.from === undefined)
        target = { mode: 'full', pageId: values['page-id'], apiKey: apiKey ?? '', apiBase: values['api-base'] };
      else
        throw new InputError(
          'Say where to import from: --from https://status.example.com (public page), or --page-id ID --api-key KEY (everything, with subscribers).',
        );
      const progress = progressPrinter();
      const summary = await importStatuspage(db, {
        target,
        dryRun: values['dry-run'] ?? false,
        onProgress: progress.update,
        onRetry: (r) => progress.note(`waiting ${Math.ceil(r.waitMs / 1000)} s (${r.reason}): ${r.url}`),
      });
      progress.done();
      // The imported page is this Candor's first content: the demo must not be seeded over it.
      if (!summary.dryRun) await markInitialised(db);
      console.log(formatSummary(summary));
      return 0;
    }
    default:
      console.error(`Unknown command "${command}".\n${USAGE}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof InputError || error instanceof BackupError || (error as Error).name === 'TypeError') {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 2;
  } else throw error;
} finally {
  closeDb();
}
