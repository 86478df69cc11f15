// `npm run lint-quality`: how well the RCA lint does on the corpus (tests/fixtures/lint-corpus),
// overall and on the held-out third alone, per rule and per kind, with every miss and false
// alarm. `-- --set tuning` or `-- --set held-out` limits the lists of misses and false alarms.
import { judge, quality, SETS, type CorpusSet, type Quality, type Rate } from './lint-corpus.ts';

const pct = (r: Rate) => `${(r.rate * 100).toFixed(1).padStart(5)}% (${r.hits}/${r.of})`;
const only = process.argv.includes('--set') ? (process.argv[process.argv.indexOf('--set') + 1] as CorpusSet) : null;
if (only && !SETS.includes(only)) {
  console.error(`--set must be one of: ${SETS.join(', ')}`);
  process.exit(2);
}

const judged = judge();
const all = quality(judged);
const sets = Object.fromEntries(SETS.map((s) => [s, quality(judged, s)])) as Record<CorpusSet, Quality>;

console.log('RCA lint on the corpus           recall                 false alarms');
for (const [name, q] of [['all', all], ...Object.entries(sets)] as [string, Quality][])
  console.log(`  ${name.padEnd(30)} ${pct(q.recall).padEnd(22)} ${pct(q.falseAlarms)}`);

console.log(`\nPer kind (recall: caught by a rule meant for the kind)   all / ${SETS.join(' / ')}`);
for (const kind of Object.keys(all.byKind))
  console.log(
    `  ${kind.padEnd(16)} ${[all, ...SETS.map((s) => sets[s])].map((q) => pct(q.byKind[kind]).padEnd(20)).join(' ')}`,
  );

console.log('\nPer rule                 fired on its kinds     false alarms (good sentences)');
for (const [rule, r] of Object.entries(all.byRule))
  console.log(`  ${rule.padEnd(22)} ${(r.caught.of ? pct(r.caught) : '—').padEnd(22)} ${pct(r.falseAlarms)}`);

const listed = only ? sets[only] : all;
console.log(`\nMisses${only ? ` (${only})` : ''}: ${listed.misses.length}`);
for (const s of listed.misses)
  console.log(
    `  [${s.set}] ${s.kind}: ${s.text}${s.findings.length ? `   (fired: ${s.findings.map((f) => `${f.rule} "${f.match}"`).join(', ')})` : ''}`,
  );
console.log(`\nFalse alarms${only ? ` (${only})` : ''}: ${listed.alarms.length}`);
for (const s of listed.alarms)
  console.log(
    `  [${s.set}] ${s.text}\n      ${s.findings.map((f) => `${f.rule} "${f.match}": ${f.message}`).join('\n      ')}`,
  );
