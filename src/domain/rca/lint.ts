// The RCA lint: checks an external summary against RCA-GUIDE.md §3 before customers read it.
// Errors block publishing (internal material, missing or wrong facts, no commitment); warnings
// are about tone and need a written acknowledgement from whoever publishes.
import glossaryFile from '#content/glossary.json' with { type: 'json' };
import { formatDuration, formatUtcClock } from '../format.ts';
import { SECTION_LABELS, SECTIONS, REQUIRED_SECTIONS, type Draft, type SectionKey } from './sections.ts';

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

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whole-word pattern that also works for terms starting or ending in punctuation. */
const wordPattern = (term: string, flags = 'gi') => new RegExp(`(?<![\\w-])${escapeRegExp(term)}(?![\\w-])`, flags);

interface PatternRule {
  rule: LintRule;
  pattern: RegExp;
  message: (match: string) => string;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s)>\]]+/gi;
// Public standards and identifiers that look like ticket or component ids (SHA-256, CVE-2024-3094).
const PUBLIC_STANDARD = '(?!(?:SHA|AES|UTF|ISO|RFC|TLS|SSL|HTTP|CVE|IPV|WCAG|PCI|ECMA|IEEE)-)';
const INTERNAL_SUFFIX = '(?:internal|local|lan|corp|intra|intranet|private|svc|cluster)';

// Internal material that must never reach customers. Checked on the text with public URLs masked.
const LEAK_PATTERNS: PatternRule[] = [
  {
    rule: 'internal-id',
    pattern: new RegExp(
      `\\b${PUBLIC_STANDARD}(?:[A-Z]{1,5}\\d{2,}[A-Z0-9]*|(?=[A-Z0-9-]*\\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+){2,})\\b`,
      'g',
    ),
    message: (m) =>
      `"${m}" looks like an internal component id. Say what it is for the customer (add it to content/glossary.json to get a suggestion).`,
  },
  {
    rule: 'ticket',
    pattern: new RegExp(`(?<!-)\\b${PUBLIC_STANDARD}[A-Z][A-Z0-9]{1,9}-\\d{1,7}\\b`, 'g'),
    message: (m) => `"${m}" looks like a ticket id. Customers cannot open it; describe the work instead.`,
  },
  {
    rule: 'ip',
    // IPv4 (with an optional prefix length), then IPv6: hex groups with "::" or a hex letter, so clock times never match.
    pattern:
      /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\/\d{1,2})?\b|(?<![\w:.])(?=[0-9a-f:]*(?:::|[a-f]))(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi,
    message: (m) => `"${m}" is an IP address. Name the function or region instead.`,
  },
  {
    rule: 'hostname',
    pattern: new RegExp(
      `\\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+${INTERNAL_SUFFIX}\\b|\\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\\d+[a-z]?\\b|\\b[a-z0-9-]*\\d[a-z0-9-]*(?:\\.[a-z0-9-]+){2,}\\b`,
      // Host names are written in lower case; "SHA-256" or "Wi-Fi 6" are not machines.
      'g',
    ),
    message: (m) => `"${m}" looks like a host name. Customers know the service, not the machine.`,
  },
  {
    rule: 'path',
    pattern:
      /(?<![\w/.:])~?\/[\w.-]+(?:\/[\w.-]*[\w-])+\/?|\b[A-Z]:\\[\w\\.-]+|\b[\w-]+\.(?:ya?ml|json|conf|cfg|ini|toml|sh|py|tf|log|sql|service|env)\b/g,
    message: (m) => `"${m}" is a file path. Describe the configuration or program in customer terms.`,
  },
];

// Tone. Each pattern is matched case-insensitively on the whole section.
const TONE_PATTERNS: PatternRule[] = [
  {
    rule: 'blame',
    pattern:
      /\b(?:human|operator|user|engineer|employee)\s+error\b|\b(?:provider|vendor|supplier|partner|carrier|contractor)(?:'s|s')?\s+(?:fault|failure|mistake|error)\b|\bfault\s+of\b|\bto\s+blame\b|\bblamed?\b|\bcareless(?:ness|ly)?\b|\bnegligen(?:t|ce)\b|\bmistake\s+(?:by|of)\b/gi,
    message: (m) =>
      `"${m}" assigns blame. We own our dependencies and our people's actions: say what the system allowed to happen.`,
  },
  {
    rule: 'hindsight',
    pattern:
      /\b(?:should|ought\s+to)\s+have\b|\bshould(?:n't|\s+not)\s+have\b|\bcould\s+(?:easily\s+)?have\s+(?:been\s+)?(?:prevented|avoided|caught|spotted|foreseen)\b|\bin\s+hindsight\b|\bobviously\b/gi,
    message: (m) => `"${m}" is hindsight. Describe what we knew then and what we are changing.`,
  },
  {
    rule: 'minimising',
    pattern:
      /\bonly\s+(?:about\s+|approximately\s+|around\s+|roughly\s+)?\d+(?:[.,]\d+)?\s*(?:%|percent|per\s+cent|of\b)|\bonly\s+a\s+(?:small|tiny|few|handful|fraction|minority|subset)\b|\ba\s+(?:small|tiny|limited)\s+(?:number|percentage|fraction|subset|portion)\s+of\b|\b(?:uptime|availability)\s+(?:was|remained|stayed)\s+(?:still\s+)?(?:above\s+|at\s+)?\d|\bstill\s+\d+(?:\.\d+)?\s*%|\b(?:minor|brief|small|short)\s+(?:blip|hiccup|glitch)\b|\bnegligible\b|\bjust\s+a\s+(?:few|small|handful)\b/gi,
    message: (m) => `"${m}" reads as minimising. State the impact plainly, from the customer's side.`,
  },
  {
    rule: 'apology',
    pattern:
      /\bany\s+inconvenience\b|\binconvenience\s+(?:this|that|it)\s+(?:may|might)\s+have\s+caused\b|\b(?:apologi[sz]e|sorry|regret)\s+for\s+any\b/gi,
    message: (m) => `"${m}" is boilerplate. Say what went wrong for customers and that we are sorry for that.`,
  },
];

const TIME_PATTERN = /\b([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?\b(\s*(?:UTC|GMT|Z\b|[A-Z]{2,4}T\b|[+-]\d{2}:?\d{2}))?/g;
const DURATION_UNIT = '(?:days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)';
const DURATION_PATTERN = new RegExp(
  `\\b\\d+(?:\\.\\d+)?\\s*${DURATION_UNIT}\\b(?:(?:\\s*,\\s*|\\s+and\\s+|\\s+)\\d+(?:\\.\\d+)?\\s*${DURATION_UNIT}\\b)*`,
  'gi',
);

const UNIT_MS: [RegExp, number][] = [
  [/^d/i, 86_400_000],
  [/^h/i, 3_600_000],
  [/^m/i, 60_000],
  [/^s/i, 1000],
];

/** "1 hour and 27 minutes" → milliseconds, and the finest unit used (for the tolerance). */
export function parseDuration(phrase: string): { ms: number; finestMs: number } {
  let ms = 0;
  let finestMs = Infinity;
  for (const [, amount, unit] of phrase.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
    const unitMs = UNIT_MS.find(([re]) => re.test(unit))![1];
    ms += Number(amount) * unitMs;
    finestMs = Math.min(finestMs, unitMs);
  }
  return { ms, finestMs };
}

function maskUrls(text: string): string {
  return text.replace(URL_PATTERN, (url) => {
    // A link to an internal host is still a leak; public links (documentation) are fine.
    const host = url.replace(/^https?:\/\//i, '').split(/[/:?#]/)[0];
    return new RegExp(`\\.${INTERNAL_SUFFIX}$|^[\\d.]+$`, 'i').test(host) ? url : ' '.repeat(url.length);
  });
}

// Ordinary capitalised words that also occur in actor names ("Deploy bot", "Support lead").
const NOT_A_NAME = new Set([
  'The',
  'Our',
  'Team',
  'Bot',
  'Engineer',
  'Lead',
  'Manager',
  'Support',
  'Customer',
  'Customers',
  'Monitoring',
  'Automation',
  'Deploy',
  'Incident',
  'Commander',
  'System',
  'Service',
]);

/** The full names, and the first and last names of multi-word ones, as case-sensitive words. */
function namePatterns(people: string[]): { name: string; pattern: RegExp }[] {
  const names = new Set<string>();
  for (const raw of people) {
    const name = raw.trim();
    if (name.length < 3 || !/[A-Z]/.test(name[0])) continue;
    names.add(name);
    const tokens = name.split(/\s+/);
    if (tokens.length > 1) {
      for (const t of tokens) if (t.length >= 3 && /^[A-Z][a-z'-]+$/.test(t) && !NOT_A_NAME.has(t)) names.add(t);
    }
  }
  return [...names].sort((a, b) => b.length - a.length).map((name) => ({ name, pattern: wordPattern(name, 'g') }));
}

/** Internal material and tone in one text; facts (times, durations) are checked only in sections. */
function lintWords(
  section: SectionKey | null,
  text: string,
  ctx: LintContext,
): { findings: LintFinding[]; overlaps: (s: number, e: number) => boolean } {
  const findings: LintFinding[] = [];
  const taken: [number, number][] = [];
  const overlaps = (start: number, end: number) => taken.some(([s, e]) => start < e && end > s);
  const add = (rule: LintRule, index: number, match: string, message: string, suggestion?: string) => {
    // One finding per stretch of text: the first (most specific) rule wins.
    if (overlaps(index, index + match.length)) return;
    taken.push([index, index + match.length]);
    findings.push({
      rule,
      severity: LINT_RULES[rule].severity,
      section,
      match,
      index,
      message,
      ...(suggestion ? { suggestion } : {}),
    });
  };

  for (const entry of ctx.glossary.terms) {
    for (const m of text.matchAll(wordPattern(entry.term))) {
      add('glossary', m.index, m[0], `"${m[0]}" is an internal term.`, entry.customer);
    }
  }
  for (const team of ctx.glossary.teams) {
    for (const m of text.matchAll(wordPattern(team))) {
      add('team', m.index, m[0], `"${m[0]}" names an internal team. Speak as one company: "we".`, 'we');
    }
  }
  for (const m of text.matchAll(/\b(?:the|our|a|their)\s+(?:[\w-]+\s+){1,2}team\b/gi)) {
    add('team', m.index, m[0], `"${m[0]}" names an internal team. Speak as one company: "we".`, 'we');
  }
  for (const { name, pattern } of namePatterns(ctx.people)) {
    for (const m of text.matchAll(pattern)) {
      add('person', m.index, m[0], `"${name}" is a name from the internal review. Say "we" or describe the action.`);
    }
  }
  const masked = maskUrls(text);
  for (const { rule, pattern, message } of LEAK_PATTERNS) {
    for (const m of masked.matchAll(pattern)) add(rule, m.index, m[0], message(m[0]));
  }
  for (const { rule, pattern, message } of TONE_PATTERNS) {
    for (const m of text.matchAll(pattern)) add(rule, m.index, m[0], message(m[0]));
  }
  return { findings, overlaps };
}

function lintSection(section: SectionKey, text: string, ctx: LintContext): LintFinding[] {
  const { findings, overlaps } = lintWords(section, text, ctx);
  return [...findings, ...checkFacts(section, text, ctx, overlaps)];
}

/**
 * Public wording published beside the text (timeline entries on the picture, commitments on the
 * tracker): the same checks for internal material and tone, each finding naming its field.
 */
export function lintPublicFields(fields: { field: string; text: string }[], ctx: LintContext): LintFinding[] {
  return fields.flatMap(({ field, text }) =>
    lintWords(null, text, ctx).findings.map((f) => ({ ...f, field, message: `${field}: ${f.message}` })),
  );
}

function checkFacts(
  section: SectionKey,
  text: string,
  ctx: LintContext,
  overlaps: (s: number, e: number) => boolean,
): LintFinding[] {
  const findings: LintFinding[] = [];
  const finding = (rule: LintRule, index: number, match: string, message: string, suggestion?: string) =>
    findings.push({
      rule,
      severity: LINT_RULES[rule].severity,
      section,
      match,
      index,
      message,
      ...(suggestion ? { suggestion } : {}),
    });

  const recorded = new Set(ctx.times.map(formatUtcClock));
  const clocks: string[] = [];
  const hasUtc = /\b(?:UTC|GMT)\b/.test(text);
  for (const m of text.matchAll(TIME_PATTERN)) {
    if (overlaps(m.index, m.index + m[0].length)) continue;
    const clock = `${m[1].padStart(2, '0')}:${m[2]}`;
    clocks.push(clock);
    const zone = (m[3] ?? '').trim();
    if (zone && !/^(?:UTC|GMT|Z)$/.test(zone)) {
      finding(
        'timezone',
        m.index,
        m[0],
        `"${m[0]}" is not in UTC. Give every time in UTC; the page shows readers their own zone.`,
      );
    } else if (!zone && !hasUtc) {
      finding('timezone', m.index, m[0], `"${m[0]}" has no time zone. Write "${clock} UTC".`, `${clock} UTC`);
    } else if (recorded.size > 0 && !recorded.has(clock)) {
      finding(
        'time-mismatch',
        m.index,
        m[0],
        `${clock} UTC is not a time in the record (key moments, timeline, status updates). Check it against the review.`,
      );
    }
  }
  if (section === 'summary' && ctx.startedAt !== null && ctx.resolvedAt !== null) {
    for (const [what, at] of [
      ['start', ctx.startedAt],
      ['end', ctx.resolvedAt],
    ] as const) {
      if (!clocks.includes(formatUtcClock(at))) {
        finding(
          'missing-time',
          0,
          '',
          `The summary does not give the ${what} time (${formatUtcClock(at)} UTC in the record). Customers look for start, end and duration first.`,
          `${formatUtcClock(at)} UTC`,
        );
      }
    }
  }
  if ((section === 'summary' || section === 'response') && ctx.durations.length > 0) {
    for (const m of text.matchAll(DURATION_PATTERN)) {
      if (overlaps(m.index, m.index + m[0].length)) continue;
      const { ms, finestMs } = parseDuration(m[0]);
      // A figure given in hours may be rounded to the hour; one given in minutes must be exact to the minute.
      const tolerance = finestMs >= 86_400_000 ? 43_200_000 : finestMs >= 3_600_000 ? 1_800_000 : 60_000;
      if (!ctx.durations.some((d) => Math.abs(d - ms) <= tolerance)) {
        finding(
          'duration-mismatch',
          m.index,
          m[0],
          `"${m[0]}" does not match any duration in the record (impact lasted ${ctx.startedAt !== null && ctx.resolvedAt !== null ? formatDuration(ctx.resolvedAt - ctx.startedAt) : 'an unknown time'}).`,
        );
      }
    }
  }
  return findings;
}

export function lintDraft(draft: Draft, ctx: LintContext): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const section of SECTIONS) {
    const text = draft[section];
    if (!text.trim()) {
      if (REQUIRED_SECTIONS.includes(section)) {
        findings.push({
          rule: 'empty-section',
          severity: 'error',
          section,
          match: '',
          index: 0,
          message: `"${SECTION_LABELS[section]}" is required.`,
        });
      }
      continue;
    }
    findings.push(...lintSection(section, text, ctx));
  }
  if (ctx.committedActions === 0) {
    findings.push({
      rule: 'no-commitment',
      severity: 'error',
      section: null,
      match: '',
      index: 0,
      message:
        'An RCA is not publishable without at least one committed action item: mark an action item public, with customer wording and a due date.',
    });
  }
  return findings;
}

export function countBySeverity(findings: LintFinding[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const f of findings) if (f.severity === 'error') errors++;
  return { errors, warnings: findings.length - errors };
}
