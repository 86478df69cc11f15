// Uptime from a component's status history: per-day bars and a percentage over the window.
import { COMPONENT_STATES, UPTIME_WEIGHTS, worstComponentState, type ComponentState } from './status.ts';
import { isoDay } from './format.ts';

export const DAY_MS = 86_400_000;
export const UPTIME_DAYS = 90;

export interface StatusChange {
  status: ComponentState;
  changedAt: number;
}

export interface UptimeDay {
  /** UTC date, YYYY-MM-DD */
  date: string;
  /** Worst state seen that day, or null when the component did not exist yet. */
  worst: ComponentState | null;
  /** Milliseconds spent in each non-operational state that day. */
  durations: Partial<Record<ComponentState, number>>;
  /** Weighted downtime in milliseconds. */
  downtimeMs: number;
  /** Milliseconds of the day the component existed and time had passed. */
  observedMs: number;
}

export interface Uptime {
  days: UptimeDay[];
  /** Percentage over the observed part of the window, or null when nothing was observed. */
  percent: number | null;
}

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** The first day of the window of `days` UTC days that ends today. */
export function uptimeWindowStart(now: number, days = UPTIME_DAYS): number {
  return startOfUtcDay(now) - (days - 1) * DAY_MS;
}

/** Milliseconds spent in each state during one day (whole milliseconds, so sums are exact). */
export type StateDurations = Partial<Record<ComponentState, number>>;

/** Calls `add(dayStart, ms)` for each UTC day that [from, to) touches, with the part inside it. */
export function splitByDay(from: number, to: number, add: (dayStart: number, ms: number) => void): void {
  for (let t = from; t < to;) {
    const dayEnd = startOfUtcDay(t) + DAY_MS;
    const sliceEnd = Math.min(dayEnd, to);
    add(dayEnd - DAY_MS, sliceEnd - t);
    t = sliceEnd;
  }
}

/** Adds [from, to) in `status` to a window's per-day durations; the part outside the window is dropped. */
export function addToWindow(
  perDay: StateDurations[],
  windowStart: number,
  status: ComponentState,
  from: number,
  to: number,
): void {
  const end = Math.min(to, windowStart + perDay.length * DAY_MS);
  splitByDay(Math.max(from, windowStart), end, (dayStart, ms) => {
    const i = (dayStart - windowStart) / DAY_MS;
    // A new object: the days may be shared with other reads (the rollups a process keeps).
    perDay[i] = { ...perDay[i], [status]: (perDay[i][status] ?? 0) + ms };
  });
}

/**
 * The bars and the percentage from per-day durations: the one place the weights are applied, for
 * both the raw history (computeUptime) and the daily rollups, so both give the same figures.
 */
export function uptimeFromDurations(windowStart: number, perDay: StateDurations[]): Uptime {
  let observed = 0;
  let down = 0;
  const days = perDay.map((durations, d): UptimeDay => {
    const day: UptimeDay = {
      date: isoDay(windowStart + d * DAY_MS),
      worst: null,
      durations: {},
      downtimeMs: 0,
      observedMs: 0,
    };
    const seen: ComponentState[] = [];
    for (const status of COMPONENT_STATES) {
      const ms = durations[status] ?? 0;
      if (ms <= 0) continue;
      seen.push(status);
      day.observedMs += ms;
      day.downtimeMs += ms * UPTIME_WEIGHTS[status];
      if (status !== 'operational') day.durations[status] = ms;
    }
    if (seen.length) day.worst = worstComponentState(seen);
    observed += day.observedMs;
    down += day.downtimeMs;
    return day;
  });
  return { days, percent: observed > 0 ? (100 * (observed - down)) / observed : null };
}

/**
 * @param history changes in ascending time order; it must include the last change before the
 *   window start (if any), so the state at the start of the window is known. The component is
 *   taken to exist from its first change on.
 */
export function computeUptime(history: StatusChange[], now: number, days = UPTIME_DAYS): Uptime {
  const windowStart = uptimeWindowStart(now, days);
  const perDay: StateDurations[] = Array.from({ length: days }, () => ({}));
  // The intervals [change_i, change_{i+1}), cut off at now.
  for (let i = 0; i < history.length; i++) {
    const to = Math.min(i + 1 < history.length ? history[i + 1].changedAt : now, now);
    addToWindow(perDay, windowStart, history[i].status, history[i].changedAt, to);
  }
  return uptimeFromDurations(windowStart, perDay);
}

/** Formats an uptime percentage the way status pages do: two decimals, never rounded up to 100. */
export function formatPercent(percent: number | null): string {
  if (percent === null) return 'No data';
  const floored = Math.floor(percent * 100) / 100;
  return `${floored.toFixed(2)}%`;
}

/**
 * Weighted downtime and uptime percentage over [from, to), for SLA reports.
 * @param history as for computeUptime: ascending, including the last change before `from`.
 */
export function uptimeBetween(
  history: StatusChange[],
  from: number,
  to: number,
): { observedMs: number; downtimeMs: number; percent: number | null } {
  let observedMs = 0;
  let downtimeMs = 0;
  for (let i = 0; i < history.length; i++) {
    const start = Math.max(history[i].changedAt, from);
    const end = Math.min(i + 1 < history.length ? history[i + 1].changedAt : to, to);
    if (end <= start) continue;
    observedMs += end - start;
    downtimeMs += (end - start) * UPTIME_WEIGHTS[history[i].status];
  }
  return { observedMs, downtimeMs, percent: observedMs > 0 ? (100 * (observedMs - downtimeMs)) / observedMs : null };
}
