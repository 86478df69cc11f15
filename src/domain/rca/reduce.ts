// Reduction: drafts the external summary from the internal review (RCA-GUIDE.md §1, §3). Only
// fields marked for customers go in; facts (times, durations, components) come from the record,
// never retyped. Each section keeps the internal sources it came from, with a fingerprint, so the
// admin can show which published text has drifted from the review since.
import { createHash } from 'node:crypto';
import { formatDuration, formatUtcClock, formatUtcDay } from '../format.ts';
import type { ComponentState } from '../status.ts';
import { MOMENT_LABELS, type Moment } from './metrics.ts';
import type { ReviewView } from './reviews.ts';
import { SECTION_LABELS, type Draft, type SectionKey } from './sections.ts';
import { ACTION_CATEGORIES, ACTION_CATEGORY_HEADINGS, FACTOR_KINDS } from './vocabulary.ts';

export interface SourceRef {
  /** Stable key of the internal field: "moment:startedAt", "factor:12", "timeline:4", "action:7". */
  ref: string;
  /** What the admin sees. */
  label: string;
  fingerprint: string;
}

export type SectionSources = Partial<Record<SectionKey, SourceRef[]>>;

const fingerprint = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** "14:05 UTC", with the day in front when the story spans several days. */
function when(ms: number, multiDay: boolean): string {
  return multiDay ? `${formatUtcDay(ms)} ${formatUtcClock(ms)} UTC` : `${formatUtcClock(ms)} UTC`;
}

const STATE_PHRASES: Record<ComponentState, [string, string]> = {
  major_outage: ['was unavailable', 'were unavailable'],
  partial_outage: ['was partly unavailable', 'were partly unavailable'],
  degraded_performance: ['was slow or returned some errors', 'were slow or returned some errors'],
  under_maintenance: ['was under maintenance', 'were under maintenance'],
  operational: ['was affected', 'were affected'],
};

const listWords = (items: string[]) =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

const momentRef = (view: ReviewView, m: Moment): SourceRef => ({
  ref: `moment:${m}`,
  label: `Key moment: ${MOMENT_LABELS[m].toLowerCase()}`,
  fingerprint: fingerprint(view.moments[m]),
});

/** The internal fields each section is built from, as they are now. */
export function currentSources(view: ReviewView): SectionSources {
  const publicFactors = view.factors.filter((f) => f.public);
  const publicEntries = view.timeline.filter((e) => e.public);
  const publicActions = view.actions.filter((a) => a.public);
  return {
    summary: [
      momentRef(view, 'startedAt'),
      momentRef(view, 'resolvedAt'),
      { ref: 'affected', label: 'Affected components (from the incidents)', fingerprint: fingerprint(view.affected) },
    ],
    wrong: publicFactors.map((f) => ({
      ref: `factor:${f.id}`,
      label: `Contributing factor #${f.id} (${f.kind})`,
      fingerprint: fingerprint([f.kind, f.publicText]),
    })),
    response: [
      { ...momentRef(view, 'detectedAt'), fingerprint: fingerprint([view.detectedAt, view.detectedBy]) },
      { ref: 'first-update', label: 'First status-page update', fingerprint: fingerprint(view.firstPublicUpdateAt) },
      momentRef(view, 'mitigatedAt'),
      momentRef(view, 'resolvedAt'),
      ...publicEntries.map((e) => ({
        ref: `timeline:${e.id}`,
        label: `Timeline entry #${e.id} (${formatUtcClock(e.at)} UTC)`,
        fingerprint: fingerprint([e.at, e.publicText]),
      })),
    ],
    doing: publicActions.map((a) => ({
      ref: `action:${a.id}`,
      label: `Action item #${a.id}: ${a.title}`,
      fingerprint: fingerprint([a.publicText, a.dueAt, a.category]),
    })),
  };
}

export function reduceReview(view: ReviewView): { draft: Draft; sources: SectionSources } {
  const { startedAt, resolvedAt } = view.moments;
  const multiDay = startedAt !== null && resolvedAt !== null && formatUtcDay(startedAt) !== formatUtcDay(resolvedAt);
  const draft: Draft = {
    title: view.draft.title || (view.incidents[0] ? `Post-incident report: ${view.incidents[0].title}` : ''),
    summary: summaryText(view, multiDay),
    wrong: wrongText(view),
    response: responseText(view, multiDay),
    doing: doingText(view),
    // Advice to customers is written by hand; keep it.
    recommendations: view.draft.recommendations,
  };
  return { draft, sources: currentSources(view) };
}

function summaryText(view: ReviewView, multiDay: boolean): string {
  const { startedAt, resolvedAt } = view.moments;
  const byState = new Map<ComponentState, string[]>();
  for (const c of view.affected) byState.set(c.worst, [...(byState.get(c.worst) ?? []), c.name]);
  const impacts = [...byState.entries()].map(
    ([state, names]) => `${listWords(names)} ${STATE_PHRASES[state][names.length > 1 ? 1 : 0]}`,
  );
  const what = impacts.length ? `${listWords(impacts)}.` : 'our service was affected.';
  if (startedAt === null || resolvedAt === null) return `${capitalise(what)}`;
  const span = multiDay
    ? `From ${when(startedAt, true)} to ${when(resolvedAt, true)} (${formatDuration(resolvedAt - startedAt)})`
    : `On ${formatUtcDay(startedAt)}, between ${formatUtcClock(startedAt)} and ${formatUtcClock(resolvedAt)} UTC (${formatDuration(resolvedAt - startedAt)})`;
  const others = view.affected.length ? ' Other services were not affected.' : '';
  return `${span}, ${what}${others}`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function wrongText(view: ReviewView): string {
  const factors = view.factors.filter((f) => f.public);
  return FACTOR_KINDS.flatMap((kind) => factors.filter((f) => f.kind === kind).map((f) => f.publicText)).join('\n\n');
}

const DETECTION_WORDS = {
  monitoring: 'Our monitoring alerted us to the problem.',
  customers: 'Customers reported the problem to us before our monitoring did.',
  staff: 'We noticed the problem.',
} as const;

function responseText(view: ReviewView, multiDay: boolean): string {
  const lines: { at: number; text: string }[] = [];
  const { detectedAt, mitigatedAt, resolvedAt } = view.moments;
  if (detectedAt !== null) lines.push({ at: detectedAt, text: DETECTION_WORDS[view.detectedBy] });
  if (view.firstPublicUpdateAt !== null)
    lines.push({ at: view.firstPublicUpdateAt, text: 'We posted the first update on this status page.' });
  for (const e of view.timeline) if (e.public) lines.push({ at: e.at, text: e.publicText });
  if (mitigatedAt !== null) lines.push({ at: mitigatedAt, text: 'The impact was mitigated.' });
  if (resolvedAt !== null)
    lines.push({ at: resolvedAt, text: 'Service was fully restored and the incident resolved.' });
  return lines
    .sort((a, b) => a.at - b.at)
    .map((l) => `- **${when(l.at, multiDay)}** — ${l.text}`)
    .join('\n');
}

function doingText(view: ReviewView): string {
  const actions = view.actions.filter((a) => a.public);
  return ACTION_CATEGORIES.flatMap((category) =>
    actions
      .filter((a) => a.category === category)
      .map((a) => `- **${ACTION_CATEGORY_HEADINGS[category]}:** ${a.publicText} (by ${formatUtcDay(a.dueAt)})`),
  ).join('\n');
}

export interface DriftItem {
  section: SectionKey;
  sectionLabel: string;
  label: string;
  change: 'changed' | 'added' | 'removed';
}

/** What changed in the review since `baseline` was taken (at reduction or at publication). */
export function detectDrift(baseline: unknown, current: SectionSources): DriftItem[] {
  const base = (baseline && typeof baseline === 'object' ? baseline : {}) as SectionSources;
  const items: DriftItem[] = [];
  for (const section of Object.keys(current) as SectionKey[]) {
    const before = new Map((base[section] ?? []).map((s) => [s.ref, s]));
    const now = new Map((current[section] ?? []).map((s) => [s.ref, s]));
    const push = (label: string, change: DriftItem['change']) =>
      items.push({ section, sectionLabel: SECTION_LABELS[section], label, change });
    for (const [ref, source] of now) {
      const old = before.get(ref);
      if (!old) push(source.label, 'added');
      else if (old.fingerprint !== source.fingerprint) push(source.label, 'changed');
    }
    for (const [ref, source] of before) if (!now.has(ref)) push(source.label, 'removed');
  }
  return items;
}
