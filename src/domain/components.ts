// Components, their groups and their state changes.
import { asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { componentGroups, components, componentStatusChanges } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { audienceIdsSchema } from './audiences/audience-rules.ts';
import { keepGroupAudiencesIn, setComponentAudiencesIn, setGroupAudiencesIn } from './audiences/assignments.ts';
import { recordAudit } from './audit.ts';
import { recordChange } from './changes.ts';
import { NotFoundError, oneOf, parseInput } from './errors.ts';
import { idSchema, numberInput } from './input.ts';
import { hasWebhookSubscribers, notifyComponentChange } from './notify/events.ts';
import { COMPONENT_STATES, type ComponentState } from './status.ts';
import { foldUptimeChanges } from './uptime-rollups.ts';

export type Component = typeof components.$inferSelect;
export type ComponentGroup = typeof componentGroups.$inferSelect;

export const componentStateSchema = oneOf(COMPONENT_STATES);

const nameSchema = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
const descriptionSchema = z.string().trim().max(500, 'must be at most 500 characters').default('');
const positionSchema = numberInput(
  z.number().int('must be a whole number').min(0).max(10_000),
  'must be a whole number',
).default(0);

// Who may see it (issue 20): audience ids, none for everyone. Left out, a change keeps what it
// was, so a script replacing other details never makes a private component public by accident.
const audienceIds = audienceIdsSchema.optional();

export const groupInputSchema = z.object({
  name: nameSchema,
  description: descriptionSchema,
  position: positionSchema,
  audienceIds,
});

export const componentInputSchema = z.object({
  name: nameSchema,
  description: descriptionSchema,
  position: positionSchema,
  groupId: idSchema('must be a component group id').nullable().default(null),
  audienceIds,
  showUptime: z.boolean().default(true),
  // Percent promised to customers; "five nines" (99.999) is about 26 seconds a month.
  slaTarget: numberInput(
    z
      .number('must be a percentage such as 99.9')
      .min(90, 'must be at least 90 (percent)')
      .max(99.9999, 'must be below 100 (no service can promise 100 %)'),
    'must be a percentage such as 99.9',
  ).default(99.9),
});

export async function listGroups(db: DbOrTx): Promise<ComponentGroup[]> {
  return db.select().from(componentGroups).orderBy(asc(componentGroups.position), asc(componentGroups.id));
}

export async function listComponents(db: DbOrTx): Promise<Component[]> {
  return db.select().from(components).orderBy(asc(components.position), asc(components.id));
}

export async function getComponent(db: DbOrTx, id: number): Promise<Component> {
  const [row] = await db.select().from(components).where(eq(components.id, id));
  if (!row) throw new NotFoundError('component', id);
  return row;
}

async function assertGroupExists(db: DbOrTx, groupId: number | null): Promise<void> {
  if (groupId === null) return;
  const [row] = await db
    .select({ id: componentGroups.id })
    .from(componentGroups)
    .where(eq(componentGroups.id, groupId));
  if (!row) throw new NotFoundError('component group', groupId);
}

export async function createGroup(db: Db, input: unknown, now = Date.now()): Promise<ComponentGroup> {
  const { audienceIds, ...data } = parseInput(groupInputSchema, input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(componentGroups)
      .values({ ...data, createdAt: now })
      .returning();
    if (audienceIds) await setGroupAudiencesIn(tx, row.id, audienceIds, now);
    await recordChange(tx, 'structure', `group:${row.id}`);
    await recordAudit(tx, { action: 'group.create', subjectType: 'group', subjectId: row.id, after: row }, now);
    return row;
  });
}

export async function updateGroup(db: Db, id: number, input: unknown, now = Date.now()): Promise<ComponentGroup> {
  const { audienceIds, ...data } = parseInput(groupInputSchema, input);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(componentGroups).where(eq(componentGroups.id, id));
    const [row] = await tx.update(componentGroups).set(data).where(eq(componentGroups.id, id)).returning();
    if (!row) throw new NotFoundError('component group', id);
    if (audienceIds) await setGroupAudiencesIn(tx, id, audienceIds, now);
    await recordChange(tx, 'structure', `group:${id}`);
    await recordAudit(tx, { action: 'group.update', subjectType: 'group', subjectId: id, before, after: row });
    return row;
  });
}

/** Deleting a group keeps its components; they become ungrouped, keeping the group's audiences. */
export async function deleteGroup(db: Db, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    await keepGroupAudiencesIn(tx, id);
    await tx.update(components).set({ groupId: null }).where(eq(components.groupId, id));
    const deleted = await tx.delete(componentGroups).where(eq(componentGroups.id, id)).returning();
    if (deleted.length === 0) throw new NotFoundError('component group', id);
    await recordChange(tx, 'structure', `group:${id}`);
    await recordAudit(tx, { action: 'group.delete', subjectType: 'group', subjectId: id, before: deleted[0] });
  });
}

export async function createComponent(
  db: Db,
  input: unknown,
  options: { now?: number; status?: ComponentState } = {},
): Promise<Component> {
  const { audienceIds, ...data } = parseInput(componentInputSchema, input);
  const now = options.now ?? Date.now();
  const status = options.status ?? 'operational';
  return db.transaction(async (tx) => {
    await assertGroupExists(tx, data.groupId);
    const [row] = await tx
      .insert(components)
      .values({ ...data, status, createdAt: now, updatedAt: now })
      .returning();
    if (audienceIds) await setComponentAudiencesIn(tx, row.id, audienceIds, now);
    // The first history row marks when the component began to exist, for uptime.
    await tx.insert(componentStatusChanges).values({ componentId: row.id, status, changedAt: now });
    await foldUptimeChanges(tx, row.id, now);
    await recordChange(tx, 'structure', `component:${row.id}`);
    await recordAudit(tx, { action: 'component.create', subjectType: 'component', subjectId: row.id, after: row }, now);
    return row;
  });
}

export async function updateComponent(db: Db, id: number, input: unknown, now = Date.now()): Promise<Component> {
  const { audienceIds, ...data } = parseInput(componentInputSchema, input);
  return db.transaction(async (tx) => {
    await assertGroupExists(tx, data.groupId);
    const [before] = await tx.select().from(components).where(eq(components.id, id));
    const [row] = await tx
      .update(components)
      .set({ ...data, updatedAt: now })
      .where(eq(components.id, id))
      .returning();
    if (!row) throw new NotFoundError('component', id);
    if (audienceIds) await setComponentAudiencesIn(tx, id, audienceIds, now);
    await recordChange(tx, 'structure', `component:${id}`);
    await recordAudit(
      tx,
      { action: 'component.update', subjectType: 'component', subjectId: id, before, after: row },
      now,
    );
    return row;
  });
}

export async function deleteComponent(db: Db, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const deleted = await tx.delete(components).where(eq(components.id, id)).returning();
    if (deleted.length === 0) throw new NotFoundError('component', id);
    await recordChange(tx, 'structure', `component:${id}`);
    await recordAudit(tx, { action: 'component.delete', subjectType: 'component', subjectId: id, before: deleted[0] });
  });
}

export interface ComponentChange {
  componentId: number;
  name: string;
  oldStatus: ComponentState;
  newStatus: ComponentState;
}

/**
 * Sets several components' states inside the caller's transaction, appending to their history.
 * Unknown ids are rejected before anything is written.
 */
export async function applyComponentStates(
  tx: DbOrTx,
  states: Map<number, ComponentState>,
  at: number,
  incidentId: number | null = null,
): Promise<ComponentChange[]> {
  if (states.size === 0) return [];
  const ids = [...states.keys()];
  const rows = await tx.select().from(components).where(inArray(components.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) {
    throw new NotFoundError('component', missing);
  }
  const changes: ComponentChange[] = [];
  const flips: { row: Component; changeId: number; oldStatus: ComponentState; newStatus: ComponentState }[] = [];
  for (const [id, newStatus] of states) {
    const row = byId.get(id)!;
    const oldStatus = row.status;
    changes.push({ componentId: id, name: row.name, oldStatus, newStatus });
    if (oldStatus === newStatus) continue;
    await tx.update(components).set({ status: newStatus, updatedAt: at }).where(eq(components.id, id));
    const [history] = await tx
      .insert(componentStatusChanges)
      .values({ componentId: id, status: newStatus, changedAt: at, incidentId })
      .returning({ id: componentStatusChanges.id });
    await foldUptimeChanges(tx, id, at);
    await recordChange(tx, 'component', `component:${id}`);
    flips.push({ row, changeId: history.id, oldStatus, newStatus });
  }
  if (flips.length && (await hasWebhookSubscribers(tx))) {
    for (const f of flips) {
      await notifyComponentChange(
        tx,
        { id: f.row.id, name: f.row.name, status: f.newStatus, createdAt: f.row.createdAt, updatedAt: at },
        { id: f.changeId, oldStatus: f.oldStatus, newStatus: f.newStatus, at },
        at,
      );
    }
  }
  return changes;
}

export const componentStatusInputSchema = z.strictObject({ status: componentStateSchema });

export async function setComponentStatus(db: Db, id: number, input: unknown, now = Date.now()): Promise<Component> {
  const state = parseInput(componentStatusInputSchema, input).status;
  return db.transaction(async (tx) => {
    const [change] = await applyComponentStates(tx, new Map([[id, state]]), now);
    await recordAudit(
      tx,
      {
        action: 'component.status',
        subjectType: 'component',
        subjectId: id,
        before: { status: change.oldStatus },
        after: { status: change.newStatus },
      },
      now,
    );
    return getComponent(tx, id);
  });
}
