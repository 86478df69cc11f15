// Correcting the text of a posted incident update (a typo, a wrong figure) without posting a new
// one. Only the words change: the update's status, time and component states stay as they were
// told. The old and new text go to the audit log; public pages, feeds and the v2 API read the
// corrected text through the change feed; subscribers hear of it only when the editor asks.
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { incidents, incidentUpdates } from '../db/schema/index.ts';
import type { Db } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { recordChange, UNNAMED_SUBJECT } from './changes.ts';
import { ConflictError, NotFoundError, parseInput } from './errors.ts';
import { getIncident, messageSchema } from './incidents.ts';
import type { Author, IncidentView } from './incident-types.ts';
import { notifyIncident } from './notify/events.ts';

export const correctUpdateSchema = z.object({
  message: messageSchema,
  // A correction is quiet unless the editor asks: most are typos nobody needs a second email for.
  notify: z.boolean({ error: 'must be true or false' }).default(false),
});

/**
 * Replaces the text of update `updateId` of incident `incidentId` and marks it edited at `now`.
 * Refuses an unchanged text (nothing to correct) and an update of another incident (a 404).
 */
export async function correctIncidentUpdate(
  db: Db,
  incidentId: number,
  updateId: number,
  input: unknown,
  author: Author,
  now = Date.now(),
): Promise<IncidentView> {
  const data = parseInput(correctUpdateSchema, input);
  return db.transaction(async (tx) => {
    const [incident] = await tx.select().from(incidents).where(eq(incidents.id, incidentId));
    if (!incident) throw new NotFoundError('incident', incidentId);
    const [update] = await tx
      .select()
      .from(incidentUpdates)
      .where(and(eq(incidentUpdates.id, updateId), eq(incidentUpdates.incidentId, incidentId)));
    if (!update)
      throw new NotFoundError('incident update', updateId, `Incident ${incidentId} has no update with id ${updateId}.`);
    if (update.body === data.message)
      throw new ConflictError('The text is the same as the one posted: change it to correct it.');
    await tx.update(incidentUpdates).set({ body: data.message, editedAt: now }).where(eq(incidentUpdates.id, updateId));
    // The incident changed for readers (feeds and the v2 API carry its updated time).
    await tx.update(incidents).set({ updatedAt: now }).where(eq(incidents.id, incidentId));
    await recordChange(tx, 'incident', incident.published ? `incident:${incidentId}` : UNNAMED_SUBJECT);
    await recordAudit(
      tx,
      {
        action: 'incident.update.correct',
        subjectType: 'incident',
        subjectId: incidentId,
        before: { updateId, message: update.body },
        after: { updateId, message: data.message, notify: data.notify, editedBy: author.name },
      },
      now,
    );
    const view = await getIncident(tx, incidentId);
    // A draft's subscribers hear nothing until it is published.
    if (data.notify && incident.published) await notifyIncident(tx, view, 'incident.corrected', updateId, now);
    return view;
  });
}
