// What each broadcast says, captured when it happens. Messages are rendered from these
// snapshots, so an email sent a minute late still tells the state as of its update, and a
// retry renders exactly the same bytes (which the provider's idempotency check relies on).
import { and, eq, isNull, sql } from 'drizzle-orm';
import { components, incidents } from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import type { IncidentView } from '../incident-types.ts';
import {
  overallStatus,
  type ComponentState,
  type IncidentImpact,
  type IncidentStatus,
  type OverallStatus,
} from '../status.ts';
import type { BroadcastKind } from './kinds.ts';
import { enqueueBroadcast } from './outbox.ts';

export type PageSnapshot = OverallStatus;

export interface AffectedSnapshot {
  componentId: number;
  name: string;
  oldStatus: ComponentState;
  newStatus: ComponentState;
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
  }[];
  /** Every component the incident touched, with its state in the incident's latest word on it. */
  components: { id: number; name: string; status: ComponentState }[];
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

export async function pageSnapshot(tx: DbOrTx): Promise<PageSnapshot> {
  const states = await tx.select({ status: components.status }).from(components);
  const open = await tx
    .select({ impact: incidents.impact })
    .from(incidents)
    .where(and(isNull(incidents.resolvedAt), eq(incidents.published, true)));
  return overallStatus(
    states.map((s) => s.status),
    open.map((i) => i.impact),
  );
}

export function incidentSnapshot(view: IncidentView): IncidentSnapshot {
  const latest = new Map<number, { id: number; name: string; status: ComponentState }>();
  for (const u of view.updates) {
    for (const a of u.affected)
      if (!latest.has(a.componentId))
        latest.set(a.componentId, { id: a.componentId, name: a.name, status: a.newStatus });
  }
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
      affected: u.affected.map((a) => ({
        componentId: a.componentId,
        name: a.name,
        oldStatus: a.oldStatus,
        newStatus: a.newStatus,
      })),
    })),
    components: [...latest.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Tells subscribers of the incident's components (everyone, if it names none) about an update. */
export async function notifyIncident(
  tx: DbOrTx,
  view: IncidentView,
  kind: BroadcastKind,
  updateId: number,
  now: number,
): Promise<void> {
  const incident = incidentSnapshot(view);
  const payload: IncidentPayload = { page: await pageSnapshot(tx), incident, updateId };
  await enqueueBroadcast(
    tx,
    { kind, incidentId: view.id, componentIds: incident.components.map((c) => c.id), payload },
    now,
  );
}

/** Tells webhook subscribers of a component that its state changed. */
export async function notifyComponentChange(
  tx: DbOrTx,
  component: ComponentPayload['component'],
  change: ComponentPayload['change'],
  now: number,
): Promise<void> {
  const payload: ComponentPayload = { page: await pageSnapshot(tx), component, change };
  await enqueueBroadcast(tx, { kind: 'component.updated', componentIds: [component.id], payload }, now);
}

/** Whether any webhook could hear about a component change; saves snapshots nobody reads. */
export async function hasWebhookSubscribers(tx: DbOrTx): Promise<boolean> {
  const rows = await tx.all(sql`select 1 from subscribers where kind = 'webhook' and state = 'active' limit 1`);
  return rows.length > 0;
}
