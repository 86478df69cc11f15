// SLA impact of an incident: for each affected component, the uptime its month actually had
// against the uptime promised (the component's "nines").
import type { StatusChange } from '../uptime.ts';
import { uptimeBetween } from '../uptime.ts';

export interface SlaImpact {
  componentId: number;
  name: string;
  /** Promised uptime in percent, e.g. 99.9. */
  target: number;
  /** The UTC month measured, YYYY-MM. */
  month: string;
  /** Achieved uptime over the month so far (the whole month once it is over). */
  achieved: number | null;
  downtimeMs: number;
  /** Downtime the promise allows over the whole month. */
  allowedMs: number;
  breached: boolean;
}

export function monthBounds(at: number): { from: number; to: number; month: string } {
  const d = new Date(at);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { from, to, month: new Date(from).toISOString().slice(0, 7) };
}

/** Downtime a promise allows over a period: 99.9 % allows about 43 minutes in a 30-day month. */
export function allowedDowntimeMs(target: number, periodMs: number): number {
  return ((100 - target) / 100) * periodMs;
}

export function slaImpact(
  component: { id: number; name: string; slaTarget: number },
  history: StatusChange[],
  incidentStart: number,
  now: number,
): SlaImpact {
  const { from, to, month } = monthBounds(incidentStart);
  const measured = uptimeBetween(history, from, Math.min(to, now));
  const allowedMs = allowedDowntimeMs(component.slaTarget, to - from);
  return {
    componentId: component.id,
    name: component.name,
    target: component.slaTarget,
    month,
    achieved: measured.percent,
    downtimeMs: measured.downtimeMs,
    allowedMs,
    // Measured against the whole month's allowance: downtime beyond it cannot be earned back.
    breached: measured.downtimeMs > allowedMs,
  };
}
