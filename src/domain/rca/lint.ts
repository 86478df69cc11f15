// The RCA lint: checks an external summary against RCA-GUIDE.md §3 before customers read it.
// Errors block publishing (internal material, missing or wrong facts, no commitment); warnings
// are about tone and need a written acknowledgement from whoever publishes.
import { formatDuration, formatUtcClock } from '../format.ts';
import { SECTION_LABELS, SECTIONS, REQUIRED_SECTIONS, type Draft, type SectionKey } from './sections.ts';
import type { LintRule, LintFinding, LintContext } from './lint-rules.ts';
import { LINT_RULES } from './lint-rules.ts';
import {
  wordPattern,
  LEAK_PATTERNS,
  TONE_PATTERNS,
  DURATION_PATTERN,
  parseDuration,
  maskUrls,
  namePatterns,
} from './lint-patterns.ts';
import { lintProse } from './lint-prose.ts';
import { clock, isUtcZone, readClock, TIME_PATTERN, toUtc } from './lint-time.ts';
import { publicTerms, VOCABULARY } from './lint-vocabulary.ts';

export {
  LINT_RULES,
  GLOSSARY,
  type LintSeverity,
  type LintRule,
  type LintFinding,
  type GlossaryEntry,
  type Glossary,
  type LintContext,
} from './lint-rules.ts';
export { parseDuration } from './lint-patterns.ts';
export { VOCABULARY, type Vocabulary } from './lint-vocabulary.ts';

/** A finding, with the rule's severity, and its generic customer wording when it has none of its own. */
function makeFinding(
  rule: LintRule,
  section: SectionKey | null,
  index: number,
  match: string,
  message: string,
  suggestion?: string,
): LintFinding {
  const { severity, fix } = LINT_RULES[rule];
  return { rule, severity, section, match, index, message, suggestion: suggestion ?? fix };
}

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
    findings.push(makeFinding(rule, section, index, match, message, suggestion));
  };
  const vocabulary = ctx.vocabulary ?? VOCABULARY;
  const isPublic = publicTerms(vocabulary, ctx.publicNames);

  for (const entry of ctx.glossary.terms) {
    for (const m of text.matchAll(wordPattern(entry.term))) {
      add(
        'glossary',
        m.index,
        m[0],
        `"${m[0]}" is an internal term: ${LINT_RULES.glossary.why}. Use the glossary wording.`,
        entry.customer,
      );
    }
  }
  for (const team of ctx.glossary.teams) {
    for (const m of text.matchAll(wordPattern(team))) {
      add('team', m.index, m[0], `"${m[0]}" names an internal team. Speak as one company: "we".`, 'we');
    }
  }
  // Teams customers deal with themselves (support, sales) are not internal boundaries.
  for (const m of text.matchAll(
    /\b(?:the|our|a|their)\s+(?!(?:customer\s+)?(?:support|success|sales|account|help)\b)(?:[\w-]+\s+){1,2}team\b/gi,
  )) {
    add('team', m.index, m[0], `"${m[0]}" names an internal team. Speak as one company: "we".`, 'we');
  }
  const people = namePatterns(ctx.people);
  for (const { name, pattern } of people) {
    for (const m of text.matchAll(pattern)) {
      add(
        'person',
        m.index,
        m[0],
        `"${name}" is a name from the internal review. Say "we" or describe the action.`,
        'we',
      );
    }
  }
  const masked = maskUrls(text);
  for (const { rule, pattern, message } of LEAK_PATTERNS) {
    // Public names that look like hosts or ids: cloud regions (us-east-1, US-EAST-1), listed terms.
    for (const m of masked.matchAll(pattern)) if (!isPublic(m[0])) add(rule, m.index, m[0], message(m[0]));
  }
  for (const { rule, pattern, message } of TONE_PATTERNS) {
    for (const m of text.matchAll(pattern)) add(rule, m.index, m[0], message(m[0]));
  }
  // Time zones are checked with the facts; keep the prose checks off them ("PST" is not jargon).
  for (const m of text.matchAll(TIME_PATTERN)) if (m[6]) taken.push([m.index, m.index + m[0].length]);
  lintProse(masked, { vocabulary, isPublic, people: people.map((p) => p.pattern) }, add);
  taken.splice(0, taken.length, ...findings.map((f): [number, number] => [f.index, f.index + f.match.length]));
  return { findings, overlaps };
}

function lintSection(section: SectionKey, text: string, ctx: LintContext): LintFinding[] {
  const { findings, overlaps } = lintWords(section, text, ctx);
  return [...findings, ...checkFacts(section, text, ctx, overlaps)].sort((a, b) => a.index - b.index);
}

/** Every check for one section's text (as in "What went wrong" unless said otherwise), facts included. */
export function lintSectionText(text: string, ctx: LintContext, section: SectionKey = 'wrong'): LintFinding[] {
  return lintSection(section, text, ctx);
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
    findings.push(makeFinding(rule, section, index, match, message, suggestion));
  const referenceAt = ctx.referenceAt ?? ctx.startedAt ?? ctx.times[0] ?? Date.now();

  const recorded = new Set(ctx.times.map(formatUtcClock));
  const clocks: string[] = [];
  const hasUtc = /\b(?:UTC|GMT)\b/.test(text);
  for (const m of text.matchAll(TIME_PATTERN)) {
    if (overlaps(m.index, m.index + m[0].length)) continue;
    const time = readClock(m);
    const written = clock(time.minutes);
    if (time.zone && !isUtcZone(time.zone)) {
      const utc = toUtc(time, referenceAt);
      clocks.push(utc?.clock ?? written);
      const day = utc?.dayShift ? (utc.dayShift > 0 ? ', the next day' : ', the day before') : '';
      finding(
        'timezone',
        m.index,
        m[0],
        utc
          ? `"${m[0]}" is ${utc.clock} UTC${day}. Give every time in UTC: one zone for everyone, and the page shows readers their own.`
          : `"${m[0]}" does not say which zone. Give every time in UTC: one zone for everyone, and the page shows readers their own.`,
        utc ? `${utc.clock} UTC` : `${written} UTC (if ${written} was UTC)`,
      );
      continue;
    }
    clocks.push(written);
    if (!time.zone && !hasUtc) {
      finding(
        'timezone',
        m.index,
        m[0],
        `"${m[0]}" has no time zone. Give every time in UTC: one zone for everyone, and the page shows readers their own.`,
        `${written} UTC`,
      );
    } else if (recorded.size > 0 && !recorded.has(written)) {
      const nearest = [...ctx.times].sort(
        (a, b) => clockDistance(formatUtcClock(a), written) - clockDistance(formatUtcClock(b), written),
      )[0];
      finding(
        'time-mismatch',
        m.index,
        m[0],
        `${written} UTC is not a time in the record (key moments, timeline, status updates). Check it against the review.`,
        `${formatUtcClock(nearest)} UTC`,
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
          ctx.startedAt !== null && ctx.resolvedAt !== null
            ? formatDuration(ctx.resolvedAt - ctx.startedAt)
            : undefined,
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
        findings.push(
          makeFinding(
            'empty-section',
            section,
            0,
            '',
            `"${SECTION_LABELS[section]}" is required: ${LINT_RULES['empty-section'].why}.`,
          ),
        );
      }
      continue;
    }
    findings.push(...lintSection(section, text, ctx));
  }
  if (ctx.committedActions === 0) {
    findings.push(
      makeFinding(
        'no-commitment',
        null,
        0,
        '',
        'An RCA is not publishable without at least one committed action item: mark an action item public, with customer wording and a due date.',
      ),
    );
  }
  return findings;
}

/** Minutes between two "HH:MM" clock times. */
function clockDistance(a: string, b: string): number {
  const minutes = (c: string) => Number(c.slice(0, 2)) * 60 + Number(c.slice(3));
  return Math.abs(minutes(a) - minutes(b));
}

export function countBySeverity(findings: LintFinding[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const f of findings) if (f.severity === 'error') errors++;
  return { errors, warnings: findings.length - errors };
}
