// Managing audiences (issue 20): create, change and delete them, their members, shared password,
// IP ranges and single sign-on rules, and which components and groups they are given. Every write
// is validated first (audience-rules.ts), then done in one transaction with its audit entry and a
// structure change on the change feed, so caches drop and the read path reloads who sees what.
// A password or single sign-on change raises credential_version: sessions admitted under the old
// one end at once (checked on every request by the viewer middleware, not here).
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  audienceMembers,
  audiences,
  componentAudiences,
  componentGroups,
  components,
  groupAudiences,
} from '../../db/schema/index.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { recordChange, UNNAMED_SUBJECT } from '../changes.ts';
import { ConflictError, fieldError, InputError, NotFoundError, parseInput } from '../errors.ts';
import { getAudience, type AudienceView } from './audience-reads.ts';
import {
  audienceCreateSchema,
  audiencePatchSchema,
  memberListSchema,
  memberSchema,
  memberText,
} from './audience-rules.ts';
import type { AudienceMember, SsoRule } from './vocabulary.ts';

/** The shared password of an audience (argon2id-hashed like staff passwords). */
export const audiencePasswordSchema = z.strictObject({
  password: z
    .string({ error: 'is required' })
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(256, 'must be at most 256 characters'),
});

// The change feed names no audience: its name or id is nothing the public should hear of.
const announce = (tx: DbOrTx) => recordChange(tx, 'structure', UNNAMED_SUBJECT);

async function assertNameFree(tx: DbOrTx, name: string, exceptId: number | null): Promise<void> {
  const [taken] = await tx
    .select({ id: audiences.id })
    .from(audiences)
    .where(sql`lower(${audiences.name}) = lower(${name})`);
  if (taken && taken.id !== exceptId)
    throw new ConflictError(`An audience named "${name}" already exists; choose another name.`);
}

async function assertExist(tx: DbOrTx, kind: 'component' | 'component group', ids: readonly number[]) {
  if (ids.length === 0) return;
  const table = kind === 'component' ? components : componentGroups;
  const found = new Set(
    (
      await tx
        .select({ id: table.id })
        .from(table)
        .where(inArray(table.id, [...ids]))
    ).map((r) => r.id),
  );
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length)
    throw fieldError(
      kind === 'component' ? 'componentIds' : 'groupIds',
      `must be ids of existing ${kind === 'component' ? 'components' : 'groups'}; there is none with id ${missing.join(', ')}`,
    );
}

async function replaceGiven(tx: DbOrTx, audienceId: number, componentIds?: number[], groupIds?: number[]) {
  if (componentIds) {
    await assertExist(tx, 'component', componentIds);
    await tx.delete(componentAudiences).where(eq(componentAudiences.audienceId, audienceId));
    if (componentIds.length)
      await tx.insert(componentAudiences).values(componentIds.map((componentId) => ({ componentId, audienceId })));
  }
  if (groupIds) {
    await assertExist(tx, 'component group', groupIds);
    await tx.delete(groupAudiences).where(eq(groupAudiences.audienceId, audienceId));
    if (groupIds.length) await tx.insert(groupAudiences).values(groupIds.map((groupId) => ({ groupId, audienceId })));
  }
}

async function addMembersIn(tx: DbOrTx, id: number, members: AudienceMember[], now: number): Promise<AudienceMember[]> {
  if (members.length === 0) return [];
  const added = await tx
    .insert(audienceMembers)
    .values(members.map((m) => ({ audienceId: id, kind: m.kind, value: m.value, createdAt: now })))
    .onConflictDoNothing()
    .returning({ kind: audienceMembers.kind, value: audienceMembers.value });
  if (added.length)
    await recordAudit(
      tx,
      {
        action: 'audience.member.add',
        subjectType: 'audience',
        subjectId: id,
        after: { members: added.map(memberText) },
      },
      now,
    );
  return added;
}

async function removeMembersIn(tx: DbOrTx, id: number, members: AudienceMember[], now: number) {
  const removed: AudienceMember[] = [];
  for (const m of members) {
    const rows = await tx
      .delete(audienceMembers)
      .where(
        and(eq(audienceMembers.audienceId, id), eq(audienceMembers.kind, m.kind), eq(audienceMembers.value, m.value)),
      )
      .returning({ kind: audienceMembers.kind, value: audienceMembers.value });
    removed.push(...rows);
  }
  if (removed.length)
    await recordAudit(
      tx,
      {
        action: 'audience.member.remove',
        subjectType: 'audience',
        subjectId: id,
        before: { members: removed.map(memberText) },
      },
      now,
    );
  return removed;
}

const sameRules = (a: SsoRule[], b: SsoRule[]) => JSON.stringify(a) === JSON.stringify(b);

/** A new audience; its name must be free (ignoring case), and the components and groups it is given must exist. */
export async function createAudience(db: Db, input: unknown, now = Date.now()): Promise<AudienceView> {
  const data = parseInput(audienceCreateSchema, input);
  return db.transaction(async (tx) => {
    await assertNameFree(tx, data.name, null);
    const [row] = await tx
      .insert(audiences)
      .values({
        name: data.name,
        description: data.description,
        ipAllowlist: JSON.stringify(data.ipAllowlist),
        ssoRules: JSON.stringify(data.ssoRules),
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: audiences.id });
    if (data.members.length)
      await tx
        .insert(audienceMembers)
        .values(data.members.map((m) => ({ audienceId: row.id, kind: m.kind, value: m.value, createdAt: now })));
    await replaceGiven(tx, row.id, data.componentIds, data.groupIds);
    const created = await getAudience(tx, row.id);
    await recordAudit(
      tx,
      { action: 'audience.create', subjectType: 'audience', subjectId: row.id, after: created },
      now,
    );
    await announce(tx);
    return created;
  });
}

/** Changes any subset; a list that is sent replaces the whole list (members are audited one change at a time). */
export async function updateAudience(db: Db, id: number, input: unknown, now = Date.now()): Promise<AudienceView> {
  const data = parseInput(audiencePatchSchema, input);
  if (Object.keys(data).length === 0)
    throw new InputError('Nothing to change: send at least one field, such as {"name": "Enterprise customers"}.');
  return db.transaction(async (tx) => {
    const before = await getAudience(tx, id);
    if (data.name !== undefined) await assertNameFree(tx, data.name, id);
    const ssoChanged = data.ssoRules !== undefined && !sameRules(before.ssoRules, data.ssoRules);
    await tx
      .update(audiences)
      .set({
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.ipAllowlist !== undefined ? { ipAllowlist: JSON.stringify(data.ipAllowlist) } : {}),
        ...(data.ssoRules !== undefined ? { ssoRules: JSON.stringify(data.ssoRules) } : {}),
        // Sessions signed in under the old rules end: a rule taken away must take access with it.
        ...(ssoChanged ? { credentialVersion: before.credentialVersion + 1 } : {}),
        updatedAt: now,
      })
      .where(eq(audiences.id, id));
    if (data.members) {
      const key = (m: AudienceMember) => `${m.kind}:${m.value}`;
      const wanted = new Set(data.members.map(key));
      const had = new Set(before.members.map(key));
      await removeMembersIn(
        tx,
        id,
        before.members.filter((m) => !wanted.has(key(m))),
        now,
      );
      await addMembersIn(
        tx,
        id,
        data.members.filter((m) => !had.has(key(m))),
        now,
      );
    }
    await replaceGiven(tx, id, data.componentIds, data.groupIds);
    const after = await getAudience(tx, id);
    const { members: _b, updatedAt: _bu, ...beforeFields } = before;
    const { members: _a, updatedAt: _au, ...afterFields } = after;
    if (JSON.stringify(beforeFields) !== JSON.stringify(afterFields))
      await recordAudit(
        tx,
        { action: 'audience.update', subjectType: 'audience', subjectId: id, before: beforeFields, after: afterFields },
        now,
      );
    await announce(tx);
    return after;
  });
}

/**
 * Deletes an audience that is given nothing. One still given components or groups is refused,
 * naming them: deleting it would make them public, which must be a decision of its own.
 */
export async function deleteAudience(db: Db, id: number, now = Date.now()): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getAudience(tx, id);
    if (before.componentIds.length || before.groupIds.length) {
      const [comps, groups] = await Promise.all([
        before.componentIds.length
          ? tx.select({ name: components.name }).from(components).where(inArray(components.id, before.componentIds))
          : [],
        before.groupIds.length
          ? tx
              .select({ name: componentGroups.name })
              .from(componentGroups)
              .where(inArray(componentGroups.id, before.groupIds))
          : [],
      ]);
      const given = [...comps.map((c) => `Component: ${c.name}`), ...groups.map((g) => `Group: ${g.name}`)];
      throw new ConflictError(
        `"${before.name}" is still given ${given.join(', ')}. Make them public or give them to another audience first, so nothing becomes public by accident.`,
        given,
      );
    }
    await tx.delete(audiences).where(eq(audiences.id, id));
    await recordAudit(tx, { action: 'audience.delete', subjectType: 'audience', subjectId: id, before }, now);
    await announce(tx);
  });
}

/** Adds members ({"members": ["ana@example.com", "@example.org"]}); those already there are left as they are. */
export async function addAudienceMembers(db: Db, id: number, input: unknown, now = Date.now()): Promise<AudienceView> {
  const { members } = parseInput(memberListSchema, input);
  return db.transaction(async (tx) => {
    await getAudience(tx, id);
    if ((await addMembersIn(tx, id, members, now)).length) {
      await tx.update(audiences).set({ updatedAt: now }).where(eq(audiences.id, id));
      await announce(tx);
    }
    return getAudience(tx, id);
  });
}

/** Removes one member; sessions signed in through a link sent to it end (checked on their next request). */
export async function removeAudienceMember(
  db: Db,
  id: number,
  input: unknown,
  now = Date.now(),
): Promise<AudienceView> {
  const { member } = parseInput(z.strictObject({ member: memberSchema }), input);
  return db.transaction(async (tx) => {
    const before = await getAudience(tx, id);
    const removed = await removeMembersIn(tx, id, [member], now);
    if (removed.length === 0)
      throw new NotFoundError('audience', id, `${memberText(member)} is not a member of "${before.name}".`);
    await tx.update(audiences).set({ updatedAt: now }).where(eq(audiences.id, id));
    await announce(tx);
    return getAudience(tx, id);
  });
}

/** Sets (or changes) the shared password; everyone signed in with the old one is signed out. */
export async function setAudiencePassword(db: Db, id: number, input: unknown, now = Date.now()): Promise<AudienceView> {
  const { password } = parseInput(audiencePasswordSchema, input);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const before = await getAudience(tx, id);
    await tx
      .update(audiences)
      .set({ passwordHash, credentialVersion: before.credentialVersion + 1, updatedAt: now })
      .where(eq(audiences.id, id));
    await recordAudit(
      tx,
      {
        action: 'audience.password.set',
        subjectType: 'audience',
        subjectId: id,
        before: { hasPassword: before.hasPassword },
        after: { hasPassword: true },
      },
      now,
    );
    await announce(tx);
    return getAudience(tx, id);
  });
}

/** Removes the shared password; everyone signed in with it is signed out. Without one, nothing changes. */
export async function clearAudiencePassword(db: Db, id: number, now = Date.now()): Promise<AudienceView> {
  return db.transaction(async (tx) => {
    const before = await getAudience(tx, id);
    if (!before.hasPassword) return before;
    await tx
      .update(audiences)
      .set({ passwordHash: null, credentialVersion: before.credentialVersion + 1, updatedAt: now })
      .where(eq(audiences.id, id));
    await recordAudit(
      tx,
      {
        action: 'audience.password.clear',
        subjectType: 'audience',
        subjectId: id,
        before: { hasPassword: true },
        after: { hasPassword: false },
      },
      now,
    );
    await announce(tx);
    return getAudience(tx, id);
  });
}
