// The RCA lint measured on its corpus (tests/fixtures/lint-corpus): it catches at least 95% of
// the sentences customers must not read, with a rule meant for their kind, and flags at most 5% of
// good sentences, on the whole corpus and on each part of it (tuning, held-out, fresh), and every
// finding says why and what to write instead. `npm run lint-quality` prints the details.
import { describe, expect, test } from 'vitest';
import { FLAGGED, GOOD, judge, KIND_RULES, quality, SETS, type CorpusSet } from './support/lint-corpus.ts';

const judged = judge();

describe('RCA lint corpus', () => {
  test('holds at least 150 sentences to flag, balanced over the kinds with a held-out third, and 150 good ones', () => {
    expect(FLAGGED.length).toBeGreaterThanOrEqual(150);
    expect(GOOD.length).toBeGreaterThanOrEqual(150);
    for (const kind of Object.keys(KIND_RULES)) {
      const of = FLAGGED.filter((s) => s.kind === kind);
      expect(of.length, kind).toBeGreaterThanOrEqual(9);
      expect(of.filter((s) => s.set === 'held-out').length, kind).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(FLAGGED.map((s) => s.kind))).toEqual(new Set(Object.keys(KIND_RULES)));
    expect(new Set([...FLAGGED, ...GOOD].map((s) => s.text)).size).toBe(FLAGGED.length + GOOD.length);
  });

  const parts: [string, CorpusSet | undefined][] = [
    ['the whole corpus', undefined],
    ...SETS.map((s): [string, CorpusSet] => [`the ${s} set`, s]),
  ];
  test.each(parts)('recall at least 95%%, false alarms at most 5%%: %s', (_, set) => {
    const q = quality(judged, set);
    const misses = q.misses.map((s) => `${s.kind}: ${s.text}`);
    const alarms = q.alarms.map((s) => `${s.text} ← ${s.findings.map((f) => f.rule).join(', ')}`);
    expect(q.recall.rate, misses.join('\n')).toBeGreaterThanOrEqual(0.95);
    expect(q.falseAlarms.rate, alarms.join('\n')).toBeLessThanOrEqual(0.05);
  });

  test('every finding says why customers must not read it and suggests wording', () => {
    const findings = judged.flagged.flatMap((s) => s.findings);
    expect(findings.length).toBeGreaterThan(FLAGGED.length);
    for (const f of findings) {
      expect(f.message.length, f.rule).toBeGreaterThan(f.match.length + 20);
      expect(f.suggestion.trim(), `${f.rule}: ${f.match}`).not.toBe('');
      expect(f.suggestion).not.toBe(f.match);
    }
  });
});
