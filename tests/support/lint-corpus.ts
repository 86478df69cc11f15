// Measures the RCA lint on the corpus in tests/fixtures/lint-corpus: each sentence is linted as
// a section of an external summary, against a record with no times (so only wording is judged).
// A flagged sentence counts as caught only when a rule meant for its kind fires; a good sentence
// counts as a false alarm when any rule fires.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GLOSSARY,
  lintSectionText,
  type LintContext,
  type LintFinding,
  type LintRule,
} from '../../src/domain/rca/lint.ts';

const DIR = join(import.meta.dirname, '../fixtures/lint-corpus');

/** Tuning and held-out were written before the rules changed; fresh after, and never tuned on. */
export const SETS = ['tuning', 'held-out', 'fresh'] as const;
export type CorpusSet = (typeof SETS)[number];

/** The rules that answer each kind of problem; a finding from another rule is not a catch. */
export const KIND_RULES: Record<string, LintRule[]> = {
  glossary: ['glossary'],
  'internal-id': ['internal-id', 'internal-name'],
  ticket: ['ticket'],
  hostname: ['hostname', 'internal-name'],
  ip: ['ip'],
  path: ['path'],
  person: ['person'],
  team: ['team'],
  timezone: ['timezone'],
  blame: ['blame'],
  hindsight: ['hindsight'],
  minimising: ['minimising'],
  apology: ['apology'],
  'service-name': ['internal-name', 'hostname'],
  'code-ref': ['code-ref', 'internal-name'],
  jargon: ['jargon', 'internal-name'],
  'people-words': ['roles', 'team'],
  vague: ['vague'],
  dismissive: ['dismissive'],
};

interface Sentence {
  kind: string;
  text: string;
  set: CorpusSet;
}

const read = (file: string, set: CorpusSet): Sentence[] =>
  (JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { sentences: { kind: string; text: string }[] }).sentences.map(
    (s) => ({ ...s, set }),
  );

export const FLAGGED: Sentence[] = SETS.flatMap((set) => read(`flagged-${set}.json`, set));
export const GOOD: Sentence[] = SETS.flatMap((set) => read(`good-${set}.json`, set));

const context = JSON.parse(readFileSync(join(DIR, 'context.json'), 'utf8')) as {
  people: string[];
  components: string[];
  incidentStartedAt: string;
};

export const CORPUS_CONTEXT: LintContext = {
  glossary: GLOSSARY,
  people: context.people,
  publicNames: context.components,
  startedAt: null,
  resolvedAt: null,
  // Converting a time zone needs the day (for summer time); the record's incident gives it.
  referenceAt: Date.parse(context.incidentStartedAt),
  times: [],
  durations: [],
  committedActions: 1,
};

export interface Judged extends Sentence {
  findings: LintFinding[];
  /** Flagged: a rule meant for the kind fired. Good: nothing fired. */
  right: boolean;
}

export function judge(): { flagged: Judged[]; good: Judged[] } {
  const run = (s: Sentence) => lintSectionText(s.text, CORPUS_CONTEXT);
  return {
    flagged: FLAGGED.map((s) => {
      const findings = run(s);
      return { ...s, findings, right: findings.some((f) => KIND_RULES[s.kind].includes(f.rule)) };
    }),
    good: GOOD.map((s) => {
      const findings = run(s);
      return { ...s, findings, right: findings.length === 0 };
    }),
  };
}

export interface Rate {
  hits: number;
  of: number;
  rate: number;
}
const rate = (hits: number, of: number): Rate => ({ hits, of, rate: of === 0 ? 0 : hits / of });

export interface Quality {
  recall: Rate;
  falseAlarms: Rate;
  byKind: Record<string, Rate>;
  /** Per rule: the flagged sentences of its kinds it caught, and the good sentences it fired on. */
  byRule: Record<string, { caught: Rate; falseAlarms: Rate }>;
  misses: Judged[];
  alarms: Judged[];
}

export function quality(judged: { flagged: Judged[]; good: Judged[] }, set?: CorpusSet): Quality {
  const flagged = judged.flagged.filter((s) => !set || s.set === set);
  const good = judged.good.filter((s) => !set || s.set === set);
  const byKind: Record<string, Rate> = {};
  for (const kind of Object.keys(KIND_RULES)) {
    const of = flagged.filter((s) => s.kind === kind);
    byKind[kind] = rate(of.filter((s) => s.right).length, of.length);
  }
  const rules = new Set<string>([
    ...Object.values(KIND_RULES).flat(),
    ...good.flatMap((s) => s.findings.map((f) => f.rule)),
  ]);
  const byRule: Quality['byRule'] = {};
  for (const rule of [...rules].sort()) {
    const meant = flagged.filter((s) => KIND_RULES[s.kind].includes(rule as LintRule));
    byRule[rule] = {
      caught: rate(meant.filter((s) => s.findings.some((f) => f.rule === rule)).length, meant.length),
      falseAlarms: rate(good.filter((s) => s.findings.some((f) => f.rule === rule)).length, good.length),
    };
  }
  return {
    recall: rate(flagged.filter((s) => s.right).length, flagged.length),
    falseAlarms: rate(good.filter((s) => !s.right).length, good.length),
    byKind,
    byRule,
    misses: flagged.filter((s) => !s.right),
    alarms: good.filter((s) => !s.right),
  };
}
