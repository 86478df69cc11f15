// The review's central picture (RCA-GUIDE.md §2): timeline entries plotted against time, coloured
// (and shaped, for readers who cannot tell the colours apart) by their effect on restoring
// service, over bands marking the detection, response and remediation phases. Rendered on the
// server as plain SVG: it needs no JavaScript and prints as it shows.
import { escapeMarkup, formatUtcClock, formatUtcDay } from '../format.ts';
import { INCIDENT_STATUS_LABELS } from '../status.ts';
import type { Phase } from './metrics.ts';
import type { ReviewView } from './reviews.ts';
import { EFFECT_LABELS, TIMELINE_KIND_LABELS, type Effect, type TimelineKind } from './vocabulary.ts';

export interface PlotEntry {
  at: number;
  endAt: number | null;
  kind: TimelineKind;
  effect: Effect;
  label: string;
}

/** The picture's own words: English for the admin; the public post-mortem passes the reader's (src/i18n). */
export interface TimelineWords {
  kind: Record<TimelineKind, string>;
  effect: Record<Effect, string>;
  /** A phase band's tooltip. */
  phaseTip: (phase: string, from: string, to: string) => string;
  /** A phase's name inside the description's list ("detection 10:00–10:05"). */
  inList: (phase: string) => string;
  /** The picture's description for screen readers; `phases` is the list, or "". */
  description: (count: number, from: string, to: string, phases: string) => string;
  day: (ms: number) => string;
}

export const ENGLISH_TIMELINE_WORDS: TimelineWords = {
  kind: TIMELINE_KIND_LABELS,
  effect: EFFECT_LABELS,
  phaseTip: (phase, from, to) => `${phase} phase: ${from}–${to} UTC`,
  inList: (phase) => phase.toLowerCase(),
  description: (count, from, to, phases) =>
    `${count} timeline entries from ${from} to ${to} UTC${phases ? `; phases: ${phases}` : ''}.`,
  day: (ms) => formatUtcDay(ms),
};

export const EFFECT_COLOURS: Record<Effect, string> = { positive: '#1a7f37', negative: '#c62828', neutral: '#6b7280' };
const PHASE_COLOURS: Record<Phase['name'], string> = {
  detection: '#f59e0b',
  response: '#3b82f6',
  remediation: '#10b981',
};

const WIDTH = 800;
const LABEL_WIDTH = 300;
const PLOT_LEFT = LABEL_WIDTH + 10;
const PLOT_RIGHT = WIDTH - 20;
const ROW = 24;
/** Height of one row of phase names above the plot. */
const PHASE_LANE = 14;
/** A generous width per character of an 11px phase name, so names placed apart never touch. */
const PHASE_CHAR_WIDTH = 7;
const MAX_LABEL = 44;

const TICK_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

function marker(effect: Effect, x: number, y: number): string {
  const fill = EFFECT_COLOURS[effect];
  if (effect === 'positive') return `<path d="M${x} ${y - 6}L${x + 6} ${y + 5}H${x - 6}Z" fill="${fill}"/>`;
  if (effect === 'negative') return `<path d="M${x} ${y + 6}L${x + 6} ${y - 5}H${x - 6}Z" fill="${fill}"/>`;
  return `<circle cx="${x}" cy="${y}" r="5" fill="${fill}"/>`;
}

/**
 * Where each phase name goes: at its band's start, moved left to end at the plot's edge when it
 * would run past it, and in the first row where it clears every name already placed there.
 */
export function phaseLabelLanes(labels: { x: number; width: number }[]): { x: number; lane: number; end: boolean }[] {
  const taken: [number, number][][] = [];
  return labels.map(({ x, width }) => {
    const end = x + width > WIDTH;
    const [left, right] = end ? [WIDTH - 2 - width, WIDTH - 2] : [x, x + width];
    let lane = 0;
    while ((taken[lane] ?? []).some(([l, r]) => left < r + 6 && right + 6 > l)) lane++;
    (taken[lane] ??= []).push([left, right]);
    return { x: end ? WIDTH - 2 : x, lane, end };
  });
}

export function renderTimelineSvg(
  entries: PlotEntry[],
  phases: Phase[],
  title: string,
  words: TimelineWords = ENGLISH_TIMELINE_WORDS,
): string {
  const phaseName = (p: Phase) => words.kind[p.name];
  const times = [
    ...entries.flatMap((e) => (e.endAt === null ? [e.at] : [e.at, e.endAt])),
    ...phases.flatMap((p) => [p.from, p.to]),
  ];
  if (times.length === 0) return '';
  let from = Math.min(...times);
  let to = Math.max(...times);
  if (to - from < 10 * 60_000) {
    const mid = (from + to) / 2;
    from = mid - 5 * 60_000;
    to = mid + 5 * 60_000;
  }
  const pad = (to - from) * 0.03;
  from -= pad;
  to += pad;
  const x = (t: number) => PLOT_LEFT + ((t - from) / (to - from)) * (PLOT_RIGHT - PLOT_LEFT);
  const lanes = phaseLabelLanes(
    phases.map((p) => ({ x: x(p.from) + 3, width: phaseName(p).length * PHASE_CHAR_WIDTH })),
  );
  const top = 20 + PHASE_LANE * Math.max(...lanes.map((l) => l.lane + 1), 1);
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  const axisY = top + Math.max(sorted.length, 1) * ROW + 6;
  const height = axisY + 50;
  const multiDay = words.day(from) !== words.day(to);

  const parts: string[] = [];
  phases.forEach((p, i) => {
    const x1 = x(p.from);
    const label = lanes[i];
    const w = Math.max(x(p.to) - x1, 1);
    parts.push(
      `<g><title>${escapeMarkup(words.phaseTip(phaseName(p), formatUtcClock(p.from), formatUtcClock(p.to)))}</title>` +
        `<rect x="${x1.toFixed(1)}" y="${top - 6}" width="${w.toFixed(1)}" height="${axisY - top + 6}" fill="${PHASE_COLOURS[p.name]}" fill-opacity="0.12"/>` +
        `<rect x="${x1.toFixed(1)}" y="${top - 6}" width="${w.toFixed(1)}" height="4" fill="${PHASE_COLOURS[p.name]}"/>` +
        `<text x="${label.x.toFixed(1)}" y="${10 + PHASE_LANE * (label.lane + 1) - 4}" font-size="11"${label.end ? ' text-anchor="end"' : ''} fill="currentColor">${escapeMarkup(phaseName(p))}</text></g>`,
    );
  });
  const span = (to - from) / 60_000;
  const step = (TICK_MINUTES.find((m) => span / m <= 8) ?? 10080) * 60_000;
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    const tx = x(t).toFixed(1);
    const label = multiDay && t % 86_400_000 === 0 ? escapeMarkup(words.day(t)) : formatUtcClock(t);
    parts.push(
      `<line x1="${tx}" y1="${top - 2}" x2="${tx}" y2="${axisY}" stroke="currentColor" stroke-opacity="0.15"/>`,
    );
    parts.push(
      `<text x="${tx}" y="${axisY + 16}" font-size="11" text-anchor="middle" fill="currentColor">${label}</text>`,
    );
  }
  parts.push(
    `<line x1="${PLOT_LEFT}" y1="${axisY}" x2="${PLOT_RIGHT}" y2="${axisY}" stroke="currentColor" stroke-opacity="0.5"/>`,
  );
  sorted.forEach((e, i) => {
    const y = top + i * ROW + ROW / 2;
    const text = `${formatUtcClock(e.at)} ${e.label}`;
    const short = text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
    const tip = `${multiDay ? `${words.day(e.at)} ` : ''}${formatUtcClock(e.at)}${e.endAt !== null ? `–${formatUtcClock(e.endAt)}` : ''} UTC · ${words.kind[e.kind]} · ${words.effect[e.effect]}: ${e.label}`;
    const bar =
      e.endAt !== null && e.endAt > e.at
        ? `<rect x="${x(e.at).toFixed(1)}" y="${y - 4}" width="${Math.max(x(e.endAt) - x(e.at), 2).toFixed(1)}" height="8" rx="2" fill="${EFFECT_COLOURS[e.effect]}" fill-opacity="0.55"/>`
        : '';
    parts.push(
      `<g data-effect="${e.effect}"><title>${escapeMarkup(tip)}</title>` +
        `<text x="${LABEL_WIDTH}" y="${y + 4}" font-size="12" text-anchor="end" fill="currentColor">${escapeMarkup(short)}</text>` +
        `<line x1="${PLOT_LEFT}" y1="${y}" x2="${PLOT_RIGHT}" y2="${y}" stroke="currentColor" stroke-opacity="0.06"/>` +
        bar +
        marker(e.effect, Number(x(e.at).toFixed(1)), y) +
        `</g>`,
    );
  });
  const legendY = axisY + 42;
  const legend = (['positive', 'negative', 'neutral'] as const)
    .map((effect, i) => {
      const lx = PLOT_LEFT + i * 150;
      return `${marker(effect, lx, legendY - 4)}<text x="${lx + 10}" y="${legendY}" font-size="11" fill="currentColor">${escapeMarkup(words.effect[effect])}</text>`;
    })
    .join('');
  const desc = words.description(
    sorted.length,
    formatUtcClock(from + pad),
    formatUtcClock(to - pad),
    phases.map((p) => `${words.inList(phaseName(p))} ${formatUtcClock(p.from)}–${formatUtcClock(p.to)}`).join(', '),
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="tl-title tl-desc" class="timeline-svg" font-family="system-ui, sans-serif">` +
    `<title id="tl-title">${escapeMarkup(title)}</title><desc id="tl-desc">${escapeMarkup(desc)}</desc>` +
    parts.join('') +
    legend +
    `</svg>`
  );
}

/**
 * The admin review's picture: its timeline entries and every status-page update of the incidents
 * it covers, over its phases. Empty when there is nothing to plot.
 */
export function reviewTimelineSvg(review: Pick<ReviewView, 'title' | 'timeline' | 'incidents' | 'metrics'>): string {
  // The status-page updates belong in the picture too: how long did customers wait for our word?
  const statusUpdates = review.incidents.flatMap((i) =>
    i.updates.map((u): PlotEntry => ({
      at: u.createdAt,
      endAt: null,
      kind: 'communication',
      effect: 'neutral',
      label: `Status page: ${INCIDENT_STATUS_LABELS[u.status]} (${i.title})`,
    })),
  );
  const entries = review.timeline.map((e): PlotEntry => ({ ...e, label: e.description }));
  return renderTimelineSvg([...entries, ...statusUpdates], review.metrics.phases, `Timeline of ${review.title}`);
}
