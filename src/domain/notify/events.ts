// What each broadcast says, captured when it happens. Messages are rendered from these
// snapshots, so an email sent a minute late still tells the state as of its update, and a
// retry renders exactly the same bytes (which the provider's idempotency check relies on).
import { and, inArray, isNull, like, sql } from 'drizzle-orm';
import { components, incidents, notifications } from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import { componentVisible, visibleIncident, visibleComponents, type Visibility } from '../audiences/visibility.ts';
import { componentRecordsFor, incidentFor, incidentSeen } from '../audiences/visible-views.ts';
import { loadComponentRecords, type ComponentRecord } from '../component-records.ts';
import type { IncidentView } from '../incident-types.ts';
import { postmortemFactsFor, type PostmortemFacts } from '../postmortem-facts.ts';
import {
  overallStatus,
  type ComponentState,
  type IncidentImpact,
  type IncidentStatus,
  type OverallStatus,
} from '../status.ts';
import type { BroadcastKind } from './kinds.ts';
import { enqueueForReaders } from './reader-classes.ts';
import { inIds } from '../../db/id-list.ts';

export type PageSnapshot = OverallStatus;

export interface AffectedSnapshot {
  componentId: number;
  name: string;
  oldStatus: ComponentState;
  newStatus: ComponentState;
}

/** What an incident's Statuspage shape needs beyond the incident: read once per list or message. */
export interface IncidentContext {
  records: ComponentRecord[];
  /** Updates that were announced to subscribers. */
  announced: Set<number>;
  postmortems: Map<number, PostmortemFacts>;
}

export interface IncidentSnapshot {
  id: number;
  title: string;
  status: IncidentStatus;
  impact: IncidentImpact;
  startedAt: number;
  resolvedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Newest first. */
  updates: {
    id: number;
    status: IncidentStatus;
    body: string;
    displayAt: number;
    createdAt: number;
    affected: AffectedSnapshot[];
    /** Whether subscribers were told (absent in snapshots taken before it was recorded). */
    notified?: boolean;
    /** When its text was last corrected (absent in older snapshots, null when never). */
    editedAt?: number | null;
  }[];
  /** Every component the incident touched, with its state in the incident's latest word on it. */
  components: { id: number; name: string; status: ComponentState }[];
  /** The page's components and groups that those belong to, as they stood (absent in older snapshots). */
  records?: ComponentRecord[];
  postmortem?: PostmortemFacts | null;
}

export interface IncidentPayload {
  page: PageSnapshot;
  incident: IncidentSnapshot;
  /** The update this notification announces. */
  updateId: number;
}

export interface ComponentPayload {
  page: PageSnapshot;
  component: { id: number; name: string; status: ComponentState; createdAt: number; updatedAt: number };
  /** The component as the page showed it (absent in snapshots taken before it was recorded). */
  record?: ComponentRecord;
  change: { id: number; oldStatus: ComponentState; newStatus: ComponentState; at: number };
}

/** A published (or republished) post-mortem: its public summary and where to read the rest. */
export interface PostmortemPayload {
  page: PageSnapshot;
  postmortem: {
    slug: string;
    title: string;
    /** The public "Summary and impact" section, Markdown. */
    summary: string;
    revision: number;
    changeNote: string;
    publishedAt: number;
    startedAt: number | null;
    resolvedAt: number | null;
    incidents: { id: number; title: string }[];
    components: { id: number; name: string }[];
  };
  commitments: { done: number; total: number };
}

/** A webhook's verification: the challenge to echo and the page's status when it was asked. */
export interface VerifyPayload {
  challenge: string;
  page?: PageSnapshot;
}

/** A public commitment completed or re-dated. */
export interface CommitmentPayload {
  page: PageSnapshot;
  postmortem: { slug: string; title: string };
  commitment: {
    id: number;
    text: string;
    category: string;
    status: string;
    previousStatus: string;
    dueAt: number;
    previousDueAt: number;
    completedAt: number | null;
  };
  commitments: { done: number; total: number };
}

/** The page's status indicator now, as `v`'s reader sees it: the one rule (status.ts) over what they see. */
export async function pageSnapshot(tx: DbOrTx, v: Visibility): Promise<PageSnapshot> {
  const states = await tx.select({ id: components.id, status: components.status }).from(components);
  const open = await tx
    .select({ impact: incidents.impact })
    .from(incidents)
    .where(and(isNull(incidents.resolvedAt), visibleIncident(v)));
  return overallStatus(
    visibleComponents(v, states, (s) => s.id).map((s) => s.status),
    open.map((i) => i.impact),
  );
}

/** Ids of the updates (of `kind`: incident or maintenance) that went out to subscribers. */
export async function announcedUpdateIds(
  db: DbOrTx,
  kind: 'incident' | 'maintenance',
  subjectIds: number[],
): Promise<Set<number>> {
  if (subjectIds.length === 0) return new Set();
  const subject =
    kind === 'incident'
      ? inIds(notifications.incidentId, subjectIds)
      : inArray(sql`json_extract(${notifications.payload}, '$.maintenance.id')`, subjectIds);
  const rows = await db
    .select({ updateId: sql<number | null>`json_extract(${notifications.payload}, '$.updateId')` })
    .from(notifications)
    .where(and(like(notifications.kind, `${kind}.%`), subject));
  return new Set(rows.flatMap((r) => (r.updateId === null ? [] : [Number(r.updateId)])));
}

/** What incidents' shapes need, as `v`'s reader sees it (records of hidden components left out). */
export async function loadIncidentContext(db: DbOrTx, incidentIds: number[], v: Visibility): Promise<IncidentContext> {
  const [records, announced, postmortems] = await Promise.all([
    loadComponentRecords(db),
    announcedUpdateIds(db, 'incident', incidentIds),
    postmortemFactsFor(db, incidentIds, v),
  ]);
  return { records: componentRecordsFor(v, records), announced, postmortems };
}

/** The records of the components `ids` name, and of their groups. */
export function recordsFor(records: ComponentRecord[], ids: Iterable<number>): ComponentRecord[] {
  const wanted = new Set(ids);
  const members = records.filter((r) => !r.group && wanted.has(r.id));
  const groups = new Set(members.flatMap((r) => (r.groupId === null ? [] : [r.groupId])));
  return records.filter((r) => (r.group ? groups.has(r.id) : wanted.has(r.id)));
}

export function incidentSnapshot(view: IncidentView, context: IncidentContext): IncidentSnapshot {
  const latest = new Map<number, { id: number; name: string; status: ComponentState }>();
  for (const u of view.updates) {
    for (const a of u.affected)
      if (!latest.has(a.componentId))
        latest.set(a.componentId, { id: a.componentId, name: a.name, status: a.newStatus });
  }
  const touched = [...latest.values()];
  const records = recordsFor(context.records, [
    ...touched.map((c) => c.id),
    ...view.updates.flatMap((u) => u.affected.map((a) => a.componentId)),
  ]);
  const positions = new Map(records.map((r) => [r.id, r.position]));
  return {
    id: view.id,
    title: view.title,
    status: view.status,
    impact: view.impact,
    startedAt: view.startedAt,
    resolvedAt: view.resolvedAt,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    updates: view.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      displayAt: u.displayAt,
      createdAt: u.createdAt,
      editedAt: u.editedAt,
      affected: u.affected.map((a) => ({
        componentId: a.componentId,
        name: a.name,
        oldStatus: a.oldStatus,
        newStatus: a.newStatus,
      })),
      notified: context.announced.has(u.id),
    })),
    // Page order, as Statuspage lists an incident's components.
    components: touched.sort(
      (a, b) => (positions.get(a.id) ?? Infinity) - (positions.get(b.id) ?? Infinity) || a.name.localeCompare(b.name),
    ),
    records,
    postmortem: context.postmortems.get(view.id) ?? null,
  };
}

/**
 * Tells subscribers of the incident's components (everyone, if it names none) about an update:
 * each class of reader (reader-classes.ts) as it sees the incident, and not at all if it does not.
 */
export async function notifyIncident(
  tx: DbOrTx,
  view: IncidentView,
  kind: BroadcastKind,
  updateId: number,
  now: number,
): Promise<void> {
  await enqueueForReaders(
    tx,
    async (v) => {
      if (!incidentSeen(v, view)) return null;
      const context = await loadIncidentContext(tx, [view.id], v);
      // The update this message announces is told, though its notification row is written below.
      context.announced.add(updateId);
      const incident = incidentSnapshot(incidentFor(v, view), context);
      const payload: IncidentPayload = { page: await pageSnapshot(tx, v), incident, updateId };
      return { kind, incidentId: view.id, componentIds: incident.components.map((c) => c.id), payload };
    },
    now,
  );
}

/** Tells webhook subscribers of a component that its state changed (those who see it). */
export async function notifyComponentChange(
  tx: DbOrTx,
  component: ComponentPayload['component'],
  change: ComponentPayload['change'],
  now: number,
): Promise<void> {
  const all = await loadComponentRecords(tx);
  await enqueueForReaders(
    tx,
    async (v) => {
      if (!componentVisible(v, component.id)) return null;
      const record = componentRecordsFor(v, all).find((r) => !r.group && r.id === component.id);
      const payload: ComponentPayload = { page: await pageSnapshot(tx, v), component, record, change };
      return { kind: 'component.updated', componentIds: [component.id], payload };
    },
    now,
  );
}

/** Whether any webhook could hear about a component change; saves snapshots nobody reads. */
export async function hasWebhookSubscribers(tx: DbOrTx): Promise<boolean> {
  const rows = await tx.all(sql`select 1 from subscribers where kind = 'webhook' and state = 'active' limit 1`);
  return rows.length > 0;
}
