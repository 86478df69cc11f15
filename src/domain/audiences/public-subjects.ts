// What the live stream (SSE /events) may name to everyone. Its frames carry the change's version,
// the URLs of the current public fragments and the subjects that changed ("incident:12"); a
// subject the public does not see — an audience's component or group, an incident or window
// touching only those, a post-mortem covering one — goes out unnamed, as changes to drafts do.
import { and, inArray } from 'drizzle-orm';
import { incidents, maintenances } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import { reviewsSeen } from './visible-postmortems.ts';
import {
  componentVisible,
  hidesAnything,
  loadPublicVisibility,
  visibleIncident,
  visibleMaintenance,
} from './visibility.ts';

/** `subjects` with each one the public may not see replaced by '' (unnamed). */
export async function publicSubjects(db: DbOrTx, subjects: readonly string[]): Promise<string[]> {
  // Who the audiences are is no business of the public's, with or without components given.
  const named = subjects.map((s) => (s.startsWith('audience:') ? '' : s));
  const v = await loadPublicVisibility(db);
  if (!hidesAnything(v)) return named;
  const ids = (kind: string) =>
    subjects.flatMap((s) => {
      const [k, id] = s.split(':');
      return k === kind && /^\d+$/.test(id ?? '') ? [Number(id)] : [];
    });
  const [incidentIds, windowIds, reviewIds] = [ids('incident'), ids('maintenance'), ids('postmortem')];
  const [seenIncidents, seenWindows, seenReviews] = await Promise.all([
    incidentIds.length
      ? db
          .select({ id: incidents.id })
          .from(incidents)
          .where(and(inArray(incidents.id, incidentIds), visibleIncident(v)))
      : [],
    windowIds.length
      ? db
          .select({ id: maintenances.id })
          .from(maintenances)
          .where(and(inArray(maintenances.id, windowIds), visibleMaintenance(v)))
      : [],
    reviewsSeen(db, v, reviewIds),
  ]);
  const seen = {
    incident: new Set(seenIncidents.map((r) => r.id)),
    maintenance: new Set(seenWindows.map((r) => r.id)),
    postmortem: seenReviews,
  };
  const hiddenGroups = new Set(v.hiddenGroupIds);
  return named.map((s) => {
    const [kind, raw] = s.split(':');
    const id = Number(raw);
    switch (kind) {
      case 'component':
        return componentVisible(v, id) ? s : '';
      case 'group':
        return hiddenGroups.has(id) ? '' : s;
      case 'incident':
      case 'maintenance':
      case 'postmortem':
        return seen[kind].has(id) ? s : '';
      default:
        // Anything else names no record ("settings").
        return s;
    }
  });
}
