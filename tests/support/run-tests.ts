// `npm test`: installs the Debian packages the tests use when they are missing (as root; otherwise
// it names the command), checks the code (formatting, lint, types, import cycles), builds Candor,
// runs vitest with a JSON report, and prints "N passed, N failed" from that report as the last
// line (CI reads it). Exits non-zero when anything failed; a failed step counts as one failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };
const report = join(root, '.vitest-report.json');

// Debian packages the tests drive for real: Chromium (browser tests), feedparser and icalendar
// (feeds and the calendar read by other parsers), Prometheus Alertmanager (alerts), and the
// Prometheus server with promtool (it scrapes /metrics), and nginx with openssl (the README's
// production configuration, run with a self-signed certificate; the SMTP server of the email
// tests gets its certificate from openssl too, so STARTTLS is checked for real).
const SYSTEM_PACKAGES: { name: string; present: () => boolean }[] = [
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { name: 'python3-feedparser', present: () => python('import feedparser') },
  { name: 'python3-icalendar', present: () => python('import icalendar') },
  { name: 'prometheus-alertmanager', present: () => existsSync('/usr/bin/prometheus-alertmanager') },
  { name: 'prometheus', present: () => existsSync('/usr/bin/prometheus') && existsSync('/usr/bin/promtool') },
  { name: 'nginx', present: () => existsSync('/usr/sbin/nginx') },
  { name: 'openssl', present: () => existsSync('/usr/bin/openssl') },
];

function python(code: string): boolean {
  return spawnSync('/usr/bin/python3', ['-c', code], { stdio: 'ignore' }).status === 0;
}

/** Installs what is missing when it can (root with apt), or stops with the one command to run. */
function ensureSystemPackages(): void {
  const missing = SYSTEM_PACKAGES.filter((p) => !p.present()).map((p) => p.name);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`[candor] the tests need Debian packages that are missing; run: sudo sh -c '${command}'`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`[candor] installing what the tests need: ${missing.join(', ')}`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...missing],
  ]) {
    const apt = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
    if (apt.status !== 0) {
      console.error(`[candor] apt-get ${args[0]} failed; run: ${command}`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
  }
}

ensureSystemPackages();

// Each check runs on the pinned Node and must exit 0.
const CHECKS: [string, string[]][] = [
  ['formatting', [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', '.']],
  ['lint', [join(root, 'node_modules/eslint/bin/eslint.js'), '.']],
  ['types', [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit']],
  // Type-only imports count: a cycle through types still ties the modules together.
  [
    'import cycles',
    [
      join(root, 'node_modules/dpdm/lib/bin/dpdm.js'),
      '--no-tree',
      '--no-warning',
      '--circular',
      '--exit-code',
      'circular:1',
      'src/**/*.ts',
    ],
  ],
];
for (const [name, args] of CHECKS) {
  const check = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (check.status !== 0) {
    console.error(`[candor] the ${name} check failed; fix it before the tests run.`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const build = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
rmSync(report, { force: true });
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const run = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env,
  },
);
if (!existsSync(report)) {
  console.log('0 passed, 1 failed');
  process.exit(run.status || 1);
}
interface Report {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { status: string; assertionResults: { status: string }[] }[];
}
const result = JSON.parse(readFileSync(report, 'utf8')) as Report;
// A file that failed without any failed test (it did not load, or a hook threw) counts as one failure.
const brokenFiles = result.testResults.filter(
  (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
).length;
const failed = result.numFailedTests + brokenFiles;
console.log(`${result.numPassedTests} passed, ${failed} failed`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
