// The audit log: every change by a user, an API token, an alert or Candor itself, with who, what,
// when, and the record before and after. The actor travels with the request (set once where it is
// known: the middleware, the alert routes, the clock) so domain functions need not pass it along.
import { and, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { processStore } from './process-store.ts';
import { currentRequestId } from './request-context.ts';

export const ACTOR_KINDS = ['user', 'token', 'alert', 'system', 'viewer'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
export const ACTOR_KIND_LABELS: Record<ActorKind, string> = {
  user: 'User (admin)',
  token: 'API token',
  alert: 'Alert',
  system: 'Candor',
  viewer: 'Viewer (audience sign-in)',
};

export interface Actor {
  kind: ActorKind;
  id: number | null;
  name: string;
}

const SYSTEM: Actor = { kind: 'system', id: null, name: 'Candor' };

// One store for the process, although the server and the built pages each load this module.
const store = processStore<Actor>('candor.audit.actor');

/** Runs `fn` with `actor` as the one responsible for every change it makes. */
export function runAs<T>(actor: Actor, fn: () => T): T {
  return store.run(actor, fn);
}

export function currentActor(): Actor {
  return store.getStore() ?? SYSTEM;
}

export interface AuditChange {
  action: string;
  subjectType: string;
  subjectId: string | number;
  before?: unknown;
  after?: unknown;
}

/** Appends one entry, inside the caller's transaction: the entry exists exactly when the change does. */
export async function recordAudit(tx: DbOrTx, change: AuditChange, now = Date.now()): Promise<void> {
  const actor = currentActor();
  await tx.insert(auditLog).values({
    at: now,
    actorKind: actor.kind,
    actorId: actor.id,
    actorName: actor.name,
    action: change.action,
    subjectType: change.subjectType,
    subjectId: String(change.subjectId),
    before: change.before === undefined ? null : JSON.stringify(change.before),
    requestId: currentRequestId(),
    after: change.after === undefined ? null : JSON.stringify(change.after),
  });
}

export type AuditEntry = typeof auditLog.$inferSelect;

export interface AuditFilter {
  actorKind?: ActorKind;
  actorName?: string;
  subjectType?: string;
  action?: string;
  from?: number;
  to?: number;
}

export const AUDIT_PAGE_SIZE = 50;

/** Newest first; `before` is the id to continue after (keyset pagination). */
export async function listAudit(
  db: DbOrTx,
  filter: AuditFilter,
  beforeId: number | null = null,
): Promise<{ entries: AuditEntry[]; next: number | null }> {
  const where: SQL[] = [];
  if (filter.actorKind) where.push(eq(auditLog.actorKind, filter.actorKind));
  if (filter.actorName) where.push(like(auditLog.actorName, `%${filter.actorName.replace(/[%_]/g, '')}%`));
  if (filter.subjectType) where.push(eq(auditLog.subjectType, filter.subjectType));
  if (filter.action) where.push(like(auditLog.action, `${filter.action.replace(/[%_]/g, '')}%`));
  if (filter.from !== undefined) where.push(gte(auditLog.at, filter.from));
  if (filter.to !== undefined) where.push(lt(auditLog.at, filter.to));
  if (beforeId !== null) where.push(lt(auditLog.id, beforeId));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(AUDIT_PAGE_SIZE + 1);
  const entries = rows.slice(0, AUDIT_PAGE_SIZE);
  return { entries, next: rows.length > AUDIT_PAGE_SIZE ? entries[entries.length - 1].id : null };
}

export async function auditSubjectTypes(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectDistinct({ t: auditLog.subjectType }).from(auditLog).orderBy(auditLog.subjectType);
  return rows.map((r) => r.t);
}
