// Uptime from a component's status history: per-day bars and a percentage over the window.
import { UPTIME_WEIGHTS, worstComponentState, type ComponentState } from './status.ts';

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

/**
 * @param history changes in ascending time order; it must include the last change before the
 *   window start (if any), so the state at the start of the window is known. The component is
 *   taken to exist from its first change on.
 */
export function computeUptime(history: StatusChange[], now: number, days = UPTIME_DAYS): Uptime {
  const windowStart = startOfUtcDay(now) - (days - 1) * DAY_MS;
  const result: UptimeDay[] = [];
  for (let d = 0; d < days; d++) {
    const dayStart = windowStart + d * DAY_MS;
    result.push({
      date: new Date(dayStart).toISOString().slice(0, 10),
      worst: null,
      durations: {},
      downtimeMs: 0,
      observedMs: 0,
    });
  }
  // Walk the intervals [change_i, change_{i+1}) clipped to the window and split by day.
  for (let i = 0; i < history.length; i++) {
    const from = Math.max(history[i].changedAt, windowStart);
    const to = Math.min(i + 1 < history.length ? history[i + 1].changedAt : now, now);
    if (to <= from) continue;
    const status = history[i].status;
    for (let t = from; t < to;) {
      const dayIndex = Math.floor((t - windowStart) / DAY_MS);
      const dayEnd = windowStart + (dayIndex + 1) * DAY_MS;
      const sliceEnd = Math.min(dayEnd, to);
      const day = result[dayIndex];
      const span = sliceEnd - t;
      day.observedMs += span;
      day.downtimeMs += span * UPTIME_WEIGHTS[status];
      day.worst = worstComponentState(day.worst ? [day.worst, status] : [status]);
      if (status !== 'operational') day.durations[status] = (day.durations[status] ?? 0) + span;
      t = sliceEnd;
    }
  }
  let observed = 0;
  let down = 0;
  for (const day of result) {
    observed += day.observedMs;
    down += day.downtimeMs;
  }
  return { days: result, percent: observed > 0 ? (100 * (observed - down)) / observed : null };
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
