// Audiences as the admin and API v1 read them: each with its members, IP ranges, single sign-on
// rules and what it is given; who has access right now (live viewer sessions, recent sign-ins);
// and who can see something that touches given components. Audiences are few (tens), so whole
// tables are read and put together here.
import { and, asc, desc, eq, gt, like, not } from 'drizzle-orm';
import {
  audienceMembers,
  audiences,
  auditLog,
  componentAudiences,
  groupAudiences,
  viewerGrants,
  viewerSessions,
} from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import type { AuditEntry } from '../audit.ts';
import { NotFoundError } from '../errors.ts';
import { cidrSchema } from './audience-rules.ts';
import { admissionHolds, emailDomain } from './grant-rule.ts';
import { PUBLIC_VIEWER } from './viewer.ts';
import { loadVisibility, touchesVisible } from './visibility.ts';
import { SSO_CLAIMS, type AudienceMember, type SsoRule } from './vocabulary.ts';

export interface AudienceView {
  id: number;
  name: string;
  description: string;
  hasPassword: boolean;
  /** Raised on every password or single sign-on change; grants made under an older one are void. */
  credentialVersion: number;
  /** Addresses first, then domains, each alphabetically. */
  members: AudienceMember[];
  ipAllowlist: string[];
  ssoRules: SsoRule[];
  /** Components and groups given to it, ascending ids. */
  componentIds: number[];
  groupIds: number[];
  createdAt: number;
  updatedAt: number;
}

type AudienceRow = typeof audiences.$inferSelect;

/** A stored JSON list, keeping only entries that are still valid (a hand-edited row never breaks a page). */
function storedList<T>(text: string, keep: (item: unknown) => T | null): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(keep).filter((v): v is T => v !== null) : [];
  } catch {
    return [];
  }
}

export const storedIpAllowlist = (text: string): string[] =>
  storedList(text, (v) => {
    const parsed = cidrSchema.safeParse(v);
    return parsed.success ? parsed.data : null;
  });

export const storedSsoRules = (text: string): SsoRule[] =>
  storedList(text, (v) => {
    const r = v as Partial<SsoRule> | null;
    return r && typeof r.value === 'string' && (SSO_CLAIMS as readonly unknown[]).includes(r.claim)
      ? { claim: r.claim!, value: r.value }
      : null;
  });

function view(row: AudienceRow, members: AudienceMember[], componentIds: number[], groupIds: number[]): AudienceView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    hasPassword: row.passwordHash !== null,
    credentialVersion: row.credentialVersion,
    members: [...members].sort((a, b) => b.kind.localeCompare(a.kind) || a.value.localeCompare(b.value)),
    ipAllowlist: storedIpAllowlist(row.ipAllowlist),
    ssoRules: storedSsoRules(row.ssoRules),
    componentIds: [...componentIds].sort((a, b) => a - b),
    groupIds: [...groupIds].sort((a, b) => a - b),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Every audience, by name. */
export async function listAudiences(db: DbOrTx): Promise<AudienceView[]> {
  const [rows, members, comps, groups] = await Promise.all([
    db.select().from(audiences).orderBy(asc(audiences.name), asc(audiences.id)),
    db.select().from(audienceMembers),
    db.select().from(componentAudiences),
    db.select().from(groupAudiences),
  ]);
  return rows.map((row) =>
    view(
      row,
      members.filter((m) => m.audienceId === row.id).map((m) => ({ kind: m.kind, value: m.value })),
      comps.filter((c) => c.audienceId === row.id).map((c) => c.componentId),
      groups.filter((g) => g.audienceId === row.id).map((g) => g.groupId),
    ),
  );
}

/** One audience; NotFoundError when there is none with this id. */
export async function getAudience(db: DbOrTx, id: number): Promise<AudienceView> {
  const [row] = await db.select().from(audiences).where(eq(audiences.id, id));
  if (!row) throw new NotFoundError('audience', id);
  const [members, comps, groups] = await Promise.all([
    db
      .select({ kind: audienceMembers.kind, value: audienceMembers.value })
      .from(audienceMembers)
      .where(eq(audienceMembers.audienceId, id)),
    db.select().from(componentAudiences).where(eq(componentAudiences.audienceId, id)),
    db.select().from(groupAudiences).where(eq(groupAudiences.audienceId, id)),
  ]);
  return view(
    row,
    members,
    comps.map((c) => c.componentId),
    groups.map((g) => g.groupId),
  );
}

/** The audiences each component is given to (components given to none are absent). */
export async function componentAudienceMap(db: DbOrTx): Promise<Map<number, number[]>> {
  return idMap(
    await db
      .select({ key: componentAudiences.componentId, id: componentAudiences.audienceId })
      .from(componentAudiences),
  );
}

/** The audiences each group is given to (groups given to none are absent). */
export async function groupAudienceMap(db: DbOrTx): Promise<Map<number, number[]>> {
  return idMap(await db.select({ key: groupAudiences.groupId, id: groupAudiences.audienceId }).from(groupAudiences));
}

function idMap(rows: { key: number; id: number }[]): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const { key, id } of rows)
    map.set(
      key,
      [...(map.get(key) ?? []), id].sort((a, b) => a - b),
    );
  return map;
}

/**
 * Viewer sessions not yet expired holding a grant for each audience that still admits, by the
 * one rule of grant-rule.ts: one made with an older password or single sign-on rules, or sent to
 * someone no longer a member, does not count.
 */
export async function liveSessionCounts(db: DbOrTx, now = Date.now()): Promise<Map<number, number>> {
  const [grants, members] = await Promise.all([
    db
      .select({
        audienceId: viewerGrants.audienceId,
        method: viewerGrants.method,
        credentialVersion: viewerGrants.credentialVersion,
        email: viewerSessions.email,
        audienceVersion: audiences.credentialVersion,
      })
      .from(viewerGrants)
      .innerJoin(viewerSessions, eq(viewerSessions.id, viewerGrants.sessionId))
      .innerJoin(audiences, eq(audiences.id, viewerGrants.audienceId))
      .where(gt(viewerSessions.expiresAt, now)),
    db.select().from(audienceMembers),
  ]);
  const listed = new Set(members.map((m) => `${m.audienceId} ${m.kind} ${m.value}`));
  const isMember = (audienceId: number, email: string | null) =>
    email !== null &&
    (listed.has(`${audienceId} email ${email.toLowerCase()}`) ||
      listed.has(`${audienceId} domain ${emailDomain(email)}`));
  const counts = new Map<number, number>();
  for (const g of grants)
    if (admissionHolds(g, g.audienceVersion, isMember(g.audienceId, g.email)))
      counts.set(g.audienceId, (counts.get(g.audienceId) ?? 0) + 1);
  return counts;
}

/**
 * The latest audit entries about an audience that are not management: sign-ins and other viewer
 * events, whatever the sign-in code calls them, as long as their subject is the audience.
 */
export async function recentAccess(db: DbOrTx, audienceId: number, limit = 20): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.subjectType, 'audience'),
        eq(auditLog.subjectId, String(audienceId)),
        not(like(auditLog.action, 'audience.%')),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(limit);
}

export interface WhoSees {
  /** Everyone sees it. */
  public: boolean;
  /** When not public: the audiences whose viewers see it, by name. */
  audiences: { id: number; name: string }[];
}

/** Who sees something touching `componentIds` (an incident, a maintenance), by the one visibility rule. */
export async function whoSees(db: DbOrTx, componentIds: readonly number[]): Promise<WhoSees> {
  if (touchesVisible(await loadVisibility(db, PUBLIC_VIEWER), componentIds)) return { public: true, audiences: [] };
  const all = await db.select({ id: audiences.id, name: audiences.name }).from(audiences).orderBy(asc(audiences.name));
  const seeing: { id: number; name: string }[] = [];
  for (const a of all) {
    const v = await loadVisibility(db, { ...PUBLIC_VIEWER, audienceIds: [a.id] });
    if (touchesVisible(v, componentIds)) seeing.push(a);
  }
  return { public: false, audiences: seeing };
}

/** Whether any audience exists: the public footer then offers members a way to sign in. */
export async function audiencesExist(db: DbOrTx): Promise<boolean> {
  const [row] = await db.select({ id: audiences.id }).from(audiences).limit(1);
  return row !== undefined;
}
