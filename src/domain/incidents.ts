// Incidents and their updates: the one path used by the admin forms, the API and the demo seed.
import { count, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { incidents, incidentUpdateComponents, incidentUpdates } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { recordChange, UNNAMED_SUBJECT } from './changes.ts';
import { applyComponentStates, componentStateSchema } from './components.ts';
import { ConflictError, NotFoundError, oneOf, parseInput } from './errors.ts';
import { idKeySchema, timeInput } from './input.ts';
import { notifyIncident } from './notify/events.ts';
import { INCIDENT_IMPACTS, INCIDENT_STATUSES, type ComponentState, type IncidentStatus } from './status.ts';
import type { AffectedComponent, Author, Incident, IncidentView } from './incident-types.ts';
import { loadIncidentViews } from './incident-reads.ts';

export type {
  AffectedComponent,
  Author,
  Incident,
  IncidentUpdate,
  IncidentUpdateView,
  IncidentView,
} from './incident-types.ts';

const componentsMapSchema = z
  .record(idKeySchema('component ids are whole numbers from 1'), componentStateSchema)
  .default({});

export const messageSchema = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required: say what customers see and when the next update will come')
  .max(20_000, 'must be at most 20,000 characters');

// Subscribers are told unless the poster opts out (a typo fix need not reach every inbox).
const notifySchema = z.boolean({ error: 'must be true or false' }).default(true);

const timeSchema = timeInput();

export const createIncidentSchema = z.object({
  title: z.string({ error: 'is required' }).trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  impact: oneOf(INCIDENT_IMPACTS),
  status: oneOf(INCIDENT_STATUSES).default('investigating'),
  message: messageSchema,
  components: componentsMapSchema,
  startedAt: timeSchema.optional(),
  notify: notifySchema,
  // A draft is seen by staff only, and nobody is notified, until it is published.
  draft: z.boolean({ error: 'must be true or false' }).default(false),
});

export { publicIncident } from './public-incident.ts';
export { loadIncidentList, loadIncidentViews, type IncidentOrder } from './incident-reads.ts';

export const postUpdateSchema = z.object({
  status: oneOf(INCIDENT_STATUSES),
  message: messageSchema,
  components: componentsMapSchema,
  impact: oneOf(INCIDENT_IMPACTS).optional(),
  displayAt: timeSchema.optional(),
  notify: notifySchema,
});

function toStateMap(record: Record<string, ComponentState>): Map<number, ComponentState> {
  return new Map(Object.entries(record).map(([id, state]) => [Number(id), state]));
}

async function insertUpdate(
  tx: DbOrTx,
  incidentId: number,
  status: IncidentStatus,
  message: string,
  states: Map<number, ComponentState>,
  at: number,
  displayAt: number,
  author: Author,
): Promise<number> {
  const changes = await applyComponentStates(tx, states, at, incidentId);
  const [update] = await tx
    .insert(incidentUpdates)
    .values({
      incidentId,
      status,
      body: message,
      createdAt: at,
      displayAt,
      authorId: author.id,
      authorName: author.name,
    })
    .returning();
  if (changes.length) {
    await tx.insert(incidentUpdateComponents).values(
      changes.map((c) => ({
        updateId: update.id,
        componentId: c.componentId,
        oldStatus: c.oldStatus,
        newStatus: c.newStatus,
      })),
    );
  }
  return update.id;
}

export async function createIncident(db: Db, input: unknown, author: Author, now = Date.now()): Promise<IncidentView> {
  const data = parseInput(createIncidentSchema, input);
  return db.transaction((tx) => createIncidentIn(tx, data, author, now));
}

/** Opens an incident inside the caller's transaction (with other writes that must go with it). */
export async function createIncidentIn(
  tx: DbOrTx,
  data: z.output<typeof createIncidentSchema>,
  author: Author,
  now: number,
): Promise<IncidentView> {
  const startedAt = data.startedAt ?? now;
  const [incident] = await tx
    .insert(incidents)
    .values({
      title: data.title,
      impact: data.impact,
      status: data.status,
      startedAt,
      resolvedAt: data.status === 'resolved' ? now : null,
      published: !data.draft,
      createdAt: now,
      updatedAt: now,
      createdBy: author.id,
    })
    .returning();
  const updateId = await insertUpdate(
    tx,
    incident.id,
    data.status,
    data.message,
    toStateMap(data.components),
    now,
    startedAt,
    author,
  );
  await recordChange(tx, 'incident', data.draft ? UNNAMED_SUBJECT : `incident:${incident.id}`);
  const view = await getIncident(tx, incident.id);
  await recordAudit(
    tx,
    {
      action: 'incident.create',
      subjectType: 'incident',
      subjectId: incident.id,
      after: { ...incident, message: data.message, components: data.components, notify: data.notify },
    },
    now,
  );
  if (data.notify && !data.draft) await notifyIncident(tx, view, 'incident.created', updateId, now);
  return view;
}

/** Makes a draft public; its subscribers hear of it now, as of a new incident. */
export async function publishIncident(db: Db, id: number, input: unknown, now = Date.now()): Promise<IncidentView> {
  const { notify } = parseInput(z.object({ notify: notifySchema }), input);
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id));
    if (!row) throw new NotFoundError('incident', id);
    if (row.published) throw new ConflictError('This incident is already public.');
    await tx.update(incidents).set({ published: true, updatedAt: now }).where(eq(incidents.id, id));
    await recordChange(tx, 'incident', `incident:${id}`);
    const view = await getIncident(tx, id);
    await recordAudit(
      tx,
      {
        action: 'incident.publish',
        subjectType: 'incident',
        subjectId: id,
        before: { published: false },
        after: { published: true },
      },
      now,
    );
    if (notify) await notifyIncident(tx, view, 'incident.created', view.updates[0]?.id ?? 0, now);
    return view;
  });
}

/** Posts an update. Resolving sets the end time; a new update on a resolved incident reopens it. */
export async function postIncidentUpdate(
  db: Db,
  incidentId: number,
  input: unknown,
  author: Author,
  now = Date.now(),
): Promise<IncidentView> {
  const data = parseInput(postUpdateSchema, input);
  return db.transaction((tx) => postIncidentUpdateIn(tx, incidentId, data, author, now));
}

export async function postIncidentUpdateIn(
  tx: DbOrTx,
  incidentId: number,
  data: z.output<typeof postUpdateSchema>,
  author: Author,
  now: number,
): Promise<IncidentView> {
  const [incident] = await tx.select().from(incidents).where(eq(incidents.id, incidentId));
  if (!incident) throw new NotFoundError('incident', incidentId);
  const displayAt = data.displayAt ?? now;
  // The incident row first, so snapshots taken while applying component states see its new state.
  await tx
    .update(incidents)
    .set({
      status: data.status,
      impact: data.impact ?? incident.impact,
      resolvedAt: data.status === 'resolved' ? (incident.resolvedAt ?? displayAt) : null,
      updatedAt: now,
    })
    .where(eq(incidents.id, incidentId));
  const updateId = await insertUpdate(
    tx,
    incidentId,
    data.status,
    data.message,
    toStateMap(data.components),
    now,
    displayAt,
    author,
  );
  await recordChange(tx, 'incident', incident.published ? `incident:${incidentId}` : UNNAMED_SUBJECT);
  const view = await getIncident(tx, incidentId);
  const { updates: _u, ...after } = view;
  await recordAudit(
    tx,
    {
      action: 'incident.update',
      subjectType: 'incident',
      subjectId: incidentId,
      before: incident,
      after: { ...after, message: data.message, components: data.components, notify: data.notify },
    },
    now,
  );
  // A draft's subscribers hear nothing until it is published.
  if (data.notify && incident.published) {
    const kind =
      data.status === 'resolved' && incident.status !== 'resolved' ? 'incident.resolved' : 'incident.updated';
    await notifyIncident(tx, view, kind, updateId, now);
  }
  return view;
}

export async function getIncident(db: DbOrTx, id: number): Promise<IncidentView> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!row) throw new NotFoundError('incident', id);
  const [view] = await loadIncidentViews(db, [row]);
  return view;
}

/** Components touched by any update of the incident, with their latest state in it. */
export function affectedComponentsOf(incident: IncidentView): AffectedComponent[] {
  const seen = new Map<number, AffectedComponent>();
  for (const update of incident.updates) {
    // updates are newest first, so the first sighting carries the latest state
    for (const a of update.affected) if (!seen.has(a.componentId)) seen.set(a.componentId, a);
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The latest incidents, newest first, without their updates (pickers in the admin). */
export async function listRecentIncidents(db: DbOrTx, limit = 100): Promise<Incident[]> {
  return db.select().from(incidents).orderBy(desc(incidents.startedAt)).limit(limit);
}

/** A page of incidents, newest first, with the total (API lists). */
export async function listIncidentsPage(
  db: DbOrTx,
  offset: number,
  limit: number,
): Promise<{ views: IncidentView[]; total: number }> {
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(incidents).orderBy(desc(incidents.startedAt), desc(incidents.id)).limit(limit).offset(offset),
    db.select({ total: count() }).from(incidents),
  ]);
  return { views: await loadIncidentViews(db, rows), total };
}
