// The lint's rules and its vocabulary: each rule's severity and label, the glossary of internal
// terms with their customer wording, and what a finding and a lint run's context hold.
import glossaryFile from '#content/glossary.json' with { type: 'json' };
import { type SectionKey } from './sections.ts';

export type LintSeverity = 'error' | 'warning';

export const LINT_RULES = {
  'empty-section': { severity: 'error', label: 'Required section is empty' },
  glossary: { severity: 'error', label: 'Internal term' },
  'internal-id': { severity: 'error', label: 'Internal identifier' },
  ticket: { severity: 'error', label: 'Ticket id' },
  hostname: { severity: 'error', label: 'Host name' },
  ip: { severity: 'error', label: 'IP address' },
  path: { severity: 'error', label: 'File path' },
  person: { severity: 'error', label: "Person's name" },
  team: { severity: 'error', label: 'Team name' },
  'missing-time': { severity: 'error', label: 'Start or end time missing' },
  timezone: { severity: 'error', label: 'Time without a time zone' },
  'time-mismatch': { severity: 'error', label: 'Time disagrees with the record' },
  'duration-mismatch': { severity: 'error', label: 'Duration disagrees with the record' },
  'no-commitment': { severity: 'error', label: 'No committed action item' },
  blame: { severity: 'warning', label: 'Blame' },
  hindsight: { severity: 'warning', label: 'Hindsight' },
  minimising: { severity: 'warning', label: 'Minimising' },
  apology: { severity: 'warning', label: 'Boilerplate apology' },
} as const satisfies Record<string, { severity: LintSeverity; label: string }>;
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
  message: string;
  suggestion?: string;
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
}
