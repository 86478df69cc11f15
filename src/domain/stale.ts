// The stale-state warning: an unresolved incident whose customers have heard nothing for too long
// (RCA-GUIDE.md §4: each update says when the next will come, and it must come).
import type { IncidentView } from './incidents.ts';

/** Default silence before the admin is warned, overridable with CANDOR_STALE_MINUTES. */
export const DEFAULT_STALE_MINUTES = 30;

export function staleAfterMs(env: NodeJS.ProcessEnv = process.env): number {
  const minutes = Number(env.CANDOR_STALE_MINUTES);
  return (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_STALE_MINUTES) * 60_000;
}

export interface StaleIncident {
  id: number;
  title: string;
  lastUpdateAt: number;
  silentForMs: number;
}

/** Unresolved incidents whose latest public update is older than `afterMs`, longest silence first. */
export function staleIncidents(active: IncidentView[], now: number, afterMs: number): StaleIncident[] {
  return active
    .filter((i) => i.resolvedAt === null)
    .map((i) => {
      const lastUpdateAt = Math.max(i.createdAt, ...i.updates.map((u) => u.createdAt));
      return { id: i.id, title: i.title, lastUpdateAt, silentForMs: now - lastUpdateAt };
    })
    .filter((s) => s.silentForMs >= afterMs)
    .sort((a, b) => b.silentForMs - a.silentForMs);
}
