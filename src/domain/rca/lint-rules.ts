// The lint's rules and its vocabulary: each rule's severity and label, the glossary of internal
// terms with their customer wording, and what a finding and a lint run's context hold.
import glossaryFile from '#content/glossary.json' with { type: 'json' };
import { type SectionKey } from './sections.ts';
import type { Vocabulary } from './lint-vocabulary.ts';

export type LintSeverity = 'error' | 'warning';

/**
 * Every rule: its severity, its label, why customers must not read what it finds, and the wording
 * it suggests when the finding itself cannot say better (a glossary entry, the time in UTC).
 */
export const LINT_RULES = {
  'empty-section': {
    severity: 'error',
    label: 'Required section is empty',
    why: 'customers look for every required section (RCA-GUIDE.md §3)',
    fix: 'Draft it from the review, then reword it for customers.',
  },
  glossary: {
    severity: 'error',
    label: 'Internal term',
    why: 'customers do not know our internal names',
    fix: 'what it is for the customer (add it to content/glossary.json)',
  },
  'internal-id': {
    severity: 'error',
    label: 'Internal identifier',
    why: 'a component id means nothing to customers and exposes our inventory',
    fix: 'a piece of equipment in one of our data centers',
  },
  'internal-name': {
    severity: 'error',
    label: 'Internal system name',
    why: 'customers know our services, not the names of the systems behind them',
    fix: 'one of the systems behind the service (say what it does for customers)',
  },
  ticket: {
    severity: 'error',
    label: 'Ticket id',
    why: 'customers cannot open our tickets',
    fix: 'the follow-up work listed below',
  },
  'code-ref': {
    severity: 'error',
    label: 'Code reference',
    why: 'customers cannot see our code, commits or pull requests',
    fix: 'a software change',
  },
  hostname: {
    severity: 'error',
    label: 'Host name',
    why: 'customers know the service, not the machine, and host names map our network',
    fix: 'one of our servers',
  },
  ip: {
    severity: 'error',
    label: 'IP address',
    why: 'addresses map our network for attackers and mean nothing to customers',
    fix: 'one of our servers',
  },
  path: {
    severity: 'error',
    label: 'File path',
    why: 'file names are how we see the system, not how customers do',
    fix: 'a configuration file',
  },
  person: {
    severity: 'error',
    label: "Person's name",
    why: 'an RCA speaks as one company; naming people exposes them',
    fix: 'we',
  },
  team: {
    severity: 'error',
    label: 'Team name',
    why: 'customers deal with one company, not its internal teams',
    fix: 'we',
  },
  'missing-time': {
    severity: 'error',
    label: 'Start or end time missing',
    why: 'customers look for start, end and duration first',
    fix: 'the time from the record, in UTC',
  },
  timezone: {
    severity: 'error',
    label: 'Time not in UTC',
    why: 'one zone for everyone; the page shows readers their own',
    fix: 'the same time in UTC',
  },
  'time-mismatch': {
    severity: 'error',
    label: 'Time disagrees with the record',
    why: 'a wrong time undermines everything else the RCA says',
    fix: 'the time from the record',
  },
  'duration-mismatch': {
    severity: 'error',
    label: 'Duration disagrees with the record',
    why: 'a wrong duration reads as minimising or carelessness',
    fix: 'the duration from the record',
  },
  'no-commitment': {
    severity: 'error',
    label: 'No committed action item',
    why: 'an RCA without a commitment gives customers no reason to trust it will not recur',
    fix: 'Mark an action item public, with customer wording and a due date.',
  },
  blame: {
    severity: 'warning',
    label: 'Blame',
    why: 'we own our dependencies and our people’s actions',
    fix: 'We made a change that …; our process did not catch it.',
  },
  hindsight: {
    severity: 'warning',
    label: 'Hindsight',
    why: 'judging the past by what we know now reads as excuse or blame',
    fix: 'We did not have a check for this; we are adding one.',
  },
  minimising: {
    severity: 'warning',
    label: 'Minimising',
    why: 'customers who were hit read it as excuse-making',
    fix: 'the impact stated plainly, e.g. “12% of requests failed”',
  },
  apology: {
    severity: 'warning',
    label: 'Boilerplate apology',
    why: 'a stock phrase sounds like nobody meant it',
    fix: 'We are sorry: for 87 minutes you could not …',
  },
  jargon: {
    severity: 'warning',
    label: 'Jargon or unexplained abbreviation',
    why: 'customers do not know operations vocabulary',
    fix: 'say it in plain words, or spell it out the first time',
  },
  roles: {
    severity: 'warning',
    label: 'Staff instead of “we”',
    why: 'an RCA speaks as one company; roles and groups of staff are internal',
    fix: 'we',
  },
  vague: {
    severity: 'warning',
    label: 'Vague duration or impact',
    why: 'customers compare it with what they saw; vague words read as hiding it',
    fix: 'the exact span and who was affected, e.g. “for 23 minutes, customers in eu-west-1 saw errors”',
  },
  dismissive: {
    severity: 'warning',
    label: 'Dismissive or defensive',
    why: 'absolute promises and reassurance without facts cost trust',
    fix: 'what we changed and how we will know, e.g. “We now block this change automatically”',
  },
} as const satisfies Record<string, { severity: LintSeverity; label: string; why: string; fix: string }>;
export type LintRule = keyof typeof LINT_RULES;

export interface LintFinding {
  rule: LintRule;
  severity: LintSeverity;
  /** null for findings about the RCA as a whole (no commitment). */
  section: SectionKey | null;
  /** For findings outside the sections: the public field they are in (a timeline entry's wording). */
  field?: string;
  /** The offending text, and where it starts in the section. */
  match: string;
  index: number;
  /** What is wrong and why customers must not read it. */
  message: string;
  /** Customer wording to use instead (every finding has one). */
  suggestion: string;
}

export interface GlossaryEntry {
  term: string;
  customer: string;
}

export interface Glossary {
  terms: GlossaryEntry[];
  teams: string[];
}

export const GLOSSARY: Glossary = { terms: glossaryFile.terms, teams: glossaryFile.teams };

/** What the record says, to check the prose against. Times are epoch milliseconds. */
export interface LintContext {
  glossary: Glossary;
  /** Names of people (and named bots) that appear in the review. */
  people: string[];
  startedAt: number | null;
  resolvedAt: number | null;
  /** Every time in the record: key moments, timeline entries, status-page updates. */
  times: number[];
  /** Every duration in the record worth quoting (impact, phases, between key moments). */
  durations: number[];
  /** Public action items with customer wording and a due date. */
  committedActions: number;
  /** Names customers know from this page (its components); never flagged as internal. */
  publicNames?: string[];
  /** The day times in other zones are converted for (summer time); the incident's start by default. */
  referenceAt?: number | null;
  /** Customer vocabulary; content/lint-vocabulary.json by default. */
  vocabulary?: Vocabulary;
}
