// The project's tsc run on one file, strict, as a customer's program would be compiled against
// types Candor did not write (a generated client, a published package's declarations).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Compiles `file` (no output); answers tsc's exit status and its diagnostics. */
export function compileStrict(file: string): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '--noEmit',
      '--strict',
      '--allowImportingTsExtensions',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      file,
    ],
    { encoding: 'utf8', cwd: dirname(file) },
  );
  return { status: run.status, output: run.stdout + run.stderr };
}
