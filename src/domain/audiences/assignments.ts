// Which audiences a component or a group is given to, set from the component and group forms and
// API (the audience side sets the same rows in audiences.ts). Inside the caller's transaction,
// which also records the structure change; audited as component.audiences / group.audiences.
import { eq, inArray } from 'drizzle-orm';
import { audiences, componentAudiences, components, groupAudiences } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import { fieldError } from '../errors.ts';

/** Refuses ids of audiences that do not exist, naming them. */
export async function assertAudiencesExist(tx: DbOrTx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set(
    (
      await tx
        .select({ id: audiences.id })
        .from(audiences)
        .where(inArray(audiences.id, [...ids]))
    ).map((r) => r.id),
  );
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length)
    throw fieldError('audienceIds', `must be ids of existing audiences; there is none with id ${missing.join(', ')}`);
}

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && [...a].sort((x, y) => x - y).every((v, i) => v === [...b].sort((x, y) => x - y)[i]);

/** Gives a component to exactly `audienceIds` (none: public, or its group's audiences). */
export async function setComponentAudiencesIn(
  tx: DbOrTx,
  componentId: number,
  audienceIds: readonly number[],
  now = Date.now(),
): Promise<void> {
  await assertAudiencesExist(tx, audienceIds);
  const before = (
    await tx
      .select({ id: componentAudiences.audienceId })
      .from(componentAudiences)
      .where(eq(componentAudiences.componentId, componentId))
  ).map((r) => r.id);
  if (same(before, audienceIds)) return;
  await tx.delete(componentAudiences).where(eq(componentAudiences.componentId, componentId));
  if (audienceIds.length)
    await tx.insert(componentAudiences).values(audienceIds.map((audienceId) => ({ componentId, audienceId })));
  await recordAudit(
    tx,
    {
      action: 'component.audiences',
      subjectType: 'component',
      subjectId: componentId,
      before: { audienceIds: before.sort((a, b) => a - b) },
      after: { audienceIds: [...audienceIds].sort((a, b) => a - b) },
    },
    now,
  );
}

/** Gives a group (and its members without audiences of their own) to exactly `audienceIds`. */
export async function setGroupAudiencesIn(
  tx: DbOrTx,
  groupId: number,
  audienceIds: readonly number[],
  now = Date.now(),
): Promise<void> {
  await assertAudiencesExist(tx, audienceIds);
  const before = (
    await tx.select({ id: groupAudiences.audienceId }).from(groupAudiences).where(eq(groupAudiences.groupId, groupId))
  ).map((r) => r.id);
  if (same(before, audienceIds)) return;
  await tx.delete(groupAudiences).where(eq(groupAudiences.groupId, groupId));
  if (audienceIds.length)
    await tx.insert(groupAudiences).values(audienceIds.map((audienceId) => ({ groupId, audienceId })));
  await recordAudit(
    tx,
    {
      action: 'group.audiences',
      subjectType: 'group',
      subjectId: groupId,
      before: { audienceIds: before.sort((a, b) => a - b) },
      after: { audienceIds: [...audienceIds].sort((a, b) => a - b) },
    },
    now,
  );
}

/**
 * Before a group is deleted: its members that follow it (no audiences of their own) are given the
 * group's audiences, so ungrouping them never makes them public.
 */
export async function keepGroupAudiencesIn(tx: DbOrTx, groupId: number, now = Date.now()): Promise<void> {
  const audienceIds = (
    await tx.select({ id: groupAudiences.audienceId }).from(groupAudiences).where(eq(groupAudiences.groupId, groupId))
  ).map((r) => r.id);
  if (audienceIds.length === 0) return;
  const members = await tx.select({ id: components.id }).from(components).where(eq(components.groupId, groupId));
  const own = new Set(
    (
      await tx
        .select({ id: componentAudiences.componentId })
        .from(componentAudiences)
        .where(
          inArray(
            componentAudiences.componentId,
            members.map((m) => m.id),
          ),
        )
    ).map((r) => r.id),
  );
  for (const m of members) if (!own.has(m.id)) await setComponentAudiencesIn(tx, m.id, audienceIds, now);
}
