// What the admin is told after opening, updating or publishing an incident: the page it lands on
// and whether anyone is being notified, counted from the deliveries actually queued.
import type { DbOrTx } from '#db/client.ts';
import type { IncidentView } from '#domain/incident-types.ts';
import { recipientsOfCorrection, recipientsOfUpdate } from '#domain/notify/outbox-admin.ts';

/** The newest update: the one a post just added (display times may be backdated, ids are not). */
function newestUpdateId(incident: IncidentView): number {
  return Math.max(0, ...incident.updates.map((u) => u.id));
}

export function postedLink(incident: IncidentView, notify: boolean): string {
  return `/admin/incidents/${incident.id}?posted=1&update=${newestUpdateId(incident)}&notified=${notify ? 1 : 0}`;
}

/** Publishing a draft announces its first update shown (the one its notification names). */
export function publishedLink(incident: IncidentView, notify: boolean): string {
  return `/admin/incidents/${incident.id}?published=1&update=${incident.updates[0]?.id ?? 0}&notified=${notify ? 1 : 0}`;
}

export function correctedLink(incident: IncidentView, updateId: number, notify: boolean): string {
  return `/admin/incidents/${incident.id}?corrected=1&update=${updateId}&notified=${notify ? 1 : 0}#update-${updateId}`;
}

/** The notice after a correction: where it shows and who, if anyone, is told of it. */
export async function correctedSentence(db: DbOrTx, incidentId: number, query: URLSearchParams): Promise<string> {
  const updateId = Number(query.get('update'));
  const shown = 'Correction saved. The update shows the new text, marked as edited';
  if (!Number.isSafeInteger(updateId) || updateId <= 0 || query.get('notified') !== '1')
    return `${shown}; subscribers were not told.`;
  const count = await recipientsOfCorrection(db, incidentId, updateId);
  if (count === 0) return `${shown}; no subscriber follows the affected components, so nobody was told.`;
  return `${shown}, and ${count === 1 ? '1 subscriber is' : `${count} subscribers are`} being sent a correction notice.`;
}

/** The end of the notice: who is being told, or why nobody is. Empty when the address names no update. */
export async function notifiedSentence(db: DbOrTx, incidentId: number, query: URLSearchParams): Promise<string> {
  const updateId = Number(query.get('update'));
  if (!Number.isSafeInteger(updateId) || updateId <= 0) return '';
  if (query.get('notified') !== '1') return '; you chose not to notify subscribers';
  const count = await recipientsOfUpdate(db, incidentId, updateId);
  if (count === 0) return '; no subscriber follows the affected components, so nobody was notified';
  return count === 1 ? ' and 1 subscriber is being notified' : ` and ${count} subscribers are being notified`;
}
