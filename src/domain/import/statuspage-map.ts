// Statuspage's JSON (public /api/v2 and management /v1 share their shapes) read into the
// importer's own types. Nothing here trusts the source: a null where a value belongs, a status
// Candor has no word for or a missing id is reported (a warning, or the item skipped with why),
// never a crash and never a guess left unsaid.
import {
  isComponentState,
  isIncidentImpact,
  isIncidentStatus,
  type ComponentState,
  type IncidentImpact,
  type IncidentStatus,
  type MaintenanceStatus,
} from '../status.ts';
import type {
  ImportNote,
  ItemKind,
  SourceAffected,
  SourceComponent,
  SourceGroup,
  SourceIncident,
  SourceMaintenance,
} from './statuspage-types.ts';

type Json = Record<string, unknown>;

export interface Notes {
  skipped: ImportNote[];
  warnings: ImportNote[];
}

const MAINTENANCE_STATUSES: readonly string[] = ['scheduled', 'in_progress', 'verifying', 'completed'];

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
export const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** An ISO time as milliseconds, or null (absent, null or unreadable). */
export function time(v: unknown): number | null {
  if (typeof v !== 'string' || v === '') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function position(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? Math.max(0, Math.min(10_000, Math.round(n))) : 0;
}

/** Names are capped as Candor's own forms cap them. */
const cap = (s: string, max: number) => (s.length > max ? s.slice(0, max - 1) + '…' : s);

export function note(into: ImportNote[], kind: ItemKind | 'page', sourceId: string, name: string, message: string) {
  into.push({ kind, sourceId, name, message });
}

/** A component state, or operational with a warning when the source says something else. */
function componentState(v: unknown, notes: Notes, kind: ItemKind, id: string, name: string): ComponentState {
  if (isComponentState(v)) return v;
  note(
    notes.warnings,
    kind,
    id,
    name,
    `component status ${JSON.stringify(v)} is not one Candor knows; taken as operational`,
  );
  return 'operational';
}

// ------------------------------------------------------------------------------- components

/** Groups and components from a components list (public: groups are `group: true` entries). */
export function readComponents(
  raw: unknown[],
  groupsRaw: unknown[] | null,
  notes: Notes,
): { groups: SourceGroup[]; components: SourceComponent[] } {
  const groups: SourceGroup[] = [];
  const components: SourceComponent[] = [];
  const groupEntries = groupsRaw ?? raw.filter((c) => isObject(c) && c.group === true);
  for (const g of groupEntries) {
    const id = isObject(g) ? str(g.id) : null;
    const name = isObject(g) ? text(g.name).trim() : '';
    if (!isObject(g) || !id || !name) {
      note(notes.skipped, 'group', id ?? '?', name, 'a component group without an id or a name');
      continue;
    }
    groups.push({
      sourceId: id,
      name: cap(name, 100),
      description: cap(text(g.description).trim(), 500),
      position: position(g.position),
      createdAt: time(g.created_at),
    });
  }
  const groupIds = new Set(groups.map((g) => g.sourceId));
  // A group lists its members; a member names its group. Either way is enough.
  const memberOf = new Map<string, string>();
  for (const g of groupEntries)
    if (isObject(g)) for (const m of list(g.components)) if (str(m)) memberOf.set(str(m)!, str(g.id)!);
  for (const c of raw) {
    if (isObject(c) && c.group === true) continue;
    const id = isObject(c) ? str(c.id) : null;
    const name = isObject(c) ? text(c.name).trim() : '';
    if (!isObject(c) || !id || !name) {
      note(notes.skipped, 'component', id ?? '?', name, 'a component without an id or a name');
      continue;
    }
    const groupId = str(c.group_id) ?? memberOf.get(id) ?? null;
    if (groupId && !groupIds.has(groupId))
      note(
        notes.warnings,
        'component',
        id,
        name,
        `its group ${groupId} was not in the source; imported without a group`,
      );
    components.push({
      sourceId: id,
      name: cap(name, 100),
      description: cap(text(c.description).trim(), 500),
      position: position(c.position),
      status: componentState(c.status, notes, 'component', id, name),
      groupSourceId: groupId && groupIds.has(groupId) ? groupId : null,
      showcase: c.showcase !== false,
      createdAt: time(c.created_at) ?? time(c.start_date),
    });
  }
  return { groups, components };
}

// -------------------------------------------------------------------------------- incidents

function affected(v: unknown, notes: Notes, kind: ItemKind, id: string, name: string): SourceAffected[] {
  const out: SourceAffected[] = [];
  for (const a of list(v)) {
    if (!isObject(a)) continue;
    const code = str(a.code) ?? str(a.id);
    if (!code) continue;
    // Statuspage writes the old and new state of each component an update touched.
    const newStatus = isComponentState(a.new_status) ? a.new_status : null;
    if (!newStatus) {
      note(
        notes.warnings,
        kind,
        id,
        name,
        `an update set component ${code} to ${JSON.stringify(a.new_status)}, which Candor does not know; that change is left out`,
      );
      continue;
    }
    out.push({
      componentSourceId: code,
      oldStatus: isComponentState(a.old_status) ? a.old_status : 'operational',
      newStatus,
    });
  }
  return out;
}

/** Whether a Statuspage "incident" is a scheduled maintenance (they share one list and shape). */
export function isMaintenance(raw: Json): boolean {
  return (
    raw.impact === 'maintenance' ||
    (typeof raw.scheduled_for === 'string' && raw.scheduled_for !== '') ||
    (typeof raw.status === 'string' && ['scheduled', 'in_progress', 'verifying', 'completed'].includes(raw.status))
  );
}

/** "postmortem" is Statuspage's step after resolved; Candor's incident is resolved then. */
function incidentStatus(v: unknown): IncidentStatus | null {
  if (v === 'postmortem') return 'resolved';
  return isIncidentStatus(v) ? v : null;
}

export function readIncident(raw: unknown, notes: Notes): SourceIncident | null {
  const id = isObject(raw) ? str(raw.id) : null;
  const name = isObject(raw) ? text(raw.name).trim() : '';
  if (!isObject(raw) || !id) {
    note(notes.skipped, 'incident', '?', name, 'an incident without an id');
    return null;
  }
  if (!name) {
    note(notes.skipped, 'incident', id, '', 'an incident without a name');
    return null;
  }
  const updates: SourceIncident['updates'] = [];
  for (const u of list(raw.incident_updates)) {
    const uid = isObject(u) ? str(u.id) : null;
    if (!isObject(u) || !uid) {
      note(notes.warnings, 'incident', id, name, 'an update without an id was left out');
      continue;
    }
    const status = incidentStatus(u.status);
    const at = time(u.display_at) ?? time(u.created_at);
    if (!status) {
      note(
        notes.warnings,
        'incident',
        id,
        name,
        `update ${uid} has status ${JSON.stringify(u.status)}, which Candor does not know; it was left out`,
      );
      continue;
    }
    if (at === null) {
      note(notes.warnings, 'incident', id, name, `update ${uid} has no time; it was left out`);
      continue;
    }
    if (typeof u.body !== 'string') note(notes.warnings, 'incident', id, name, `update ${uid} has no text`);
    updates.push({
      sourceId: uid,
      status,
      body: text(u.body),
      createdAt: time(u.created_at) ?? at,
      displayAt: at,
      affected: affected(u.affected_components, notes, 'incident', id, name),
    });
  }
  updates.sort((a, b) => a.displayAt - b.displayAt || a.createdAt - b.createdAt);
  const createdAt = time(raw.created_at) ?? updates[0]?.createdAt ?? null;
  if (createdAt === null) {
    note(notes.skipped, 'incident', id, name, 'no creation time and no dated update');
    return null;
  }
  let status = incidentStatus(raw.status);
  if (!status) {
    const last = updates.at(-1)?.status ?? null;
    note(
      notes.warnings,
      'incident',
      id,
      name,
      `status ${JSON.stringify(raw.status)} is not one Candor knows; ${last ? `taken from its last update (${last})` : 'taken as resolved'}`,
    );
    status = last ?? 'resolved';
  }
  let impact: IncidentImpact = 'none';
  const rawImpact = raw.impact_override ?? raw.impact;
  if (isIncidentImpact(rawImpact)) impact = rawImpact;
  else
    note(
      notes.warnings,
      'incident',
      id,
      name,
      rawImpact === null || rawImpact === undefined
        ? 'it has no impact; taken as none'
        : `impact ${JSON.stringify(rawImpact)} is not one Candor knows; taken as none`,
    );
  const resolvedAt =
    status === 'resolved'
      ? (time(raw.resolved_at) ??
        updates.filter((u) => u.status === 'resolved').at(-1)?.displayAt ??
        time(raw.updated_at) ??
        createdAt)
      : null;
  // Only a published post-mortem is public: a draft at Statuspage stays behind.
  const postmortem = text(raw.postmortem_body).trim();
  const postmortemAt = time(raw.postmortem_published_at);
  if (postmortem && postmortemAt !== null) {
    updates.push({
      sourceId: `${id}:postmortem`,
      status: 'resolved',
      body: `**Postmortem**\n\n${postmortem}`,
      createdAt: postmortemAt,
      displayAt: postmortemAt,
      affected: [],
    });
  }
  return {
    sourceId: id,
    title: cap(name, 200),
    status,
    impact,
    createdAt,
    updatedAt: Math.max(time(raw.updated_at) ?? createdAt, ...updates.map((u) => u.createdAt)),
    startedAt: time(raw.started_at) ?? updates[0]?.displayAt ?? createdAt,
    resolvedAt,
    updates,
  };
}

// ------------------------------------------------------------------------------ maintenance

function maintenanceStatus(v: unknown): MaintenanceStatus | null {
  return typeof v === 'string' && MAINTENANCE_STATUSES.includes(v) ? (v as MaintenanceStatus) : null;
}

export function readMaintenance(raw: unknown, notes: Notes, now: number): SourceMaintenance | null {
  const id = isObject(raw) ? str(raw.id) : null;
  const name = isObject(raw) ? text(raw.name).trim() : '';
  if (!isObject(raw) || !id || !name) {
    note(notes.skipped, 'maintenance', id ?? '?', name, 'a scheduled maintenance without an id or a name');
    return null;
  }
  const scheduledFor = time(raw.scheduled_for);
  const scheduledUntil = time(raw.scheduled_until);
  if (scheduledFor === null || scheduledUntil === null || scheduledUntil < scheduledFor) {
    note(
      notes.skipped,
      'maintenance',
      id,
      name,
      'its window (scheduled_for, scheduled_until) is missing or ends before it starts',
    );
    return null;
  }
  const updates: SourceMaintenance['updates'] = [];
  for (const u of list(raw.incident_updates)) {
    const uid = isObject(u) ? str(u.id) : null;
    const status = isObject(u) ? maintenanceStatus(u.status) : null;
    const at = isObject(u) ? (time(u.display_at) ?? time(u.created_at)) : null;
    if (!isObject(u) || !uid || !status || at === null) {
      note(
        notes.warnings,
        'maintenance',
        id,
        name,
        `update ${uid ?? '?'} has no id, a status Candor does not know (${JSON.stringify(isObject(u) ? u.status : null)}) or no time; it was left out`,
      );
      continue;
    }
    updates.push({
      sourceId: uid,
      status,
      body: text(u.body),
      createdAt: at,
      affected: affected(u.affected_components, notes, 'maintenance', id, name),
    });
  }
  updates.sort((a, b) => a.createdAt - b.createdAt);
  let status = maintenanceStatus(raw.status);
  if (!status) {
    status = updates.at(-1)?.status ?? (scheduledUntil < now ? 'completed' : 'scheduled');
    note(
      notes.warnings,
      'maintenance',
      id,
      name,
      `status ${JSON.stringify(raw.status)} is not one Candor knows; taken as ${status}`,
    );
  }
  const createdAt = time(raw.created_at) ?? updates[0]?.createdAt ?? scheduledFor;
  const started = updates.find((u) => u.status === 'in_progress')?.createdAt ?? time(raw.started_at);
  const completedAt =
    status === 'completed'
      ? (time(raw.resolved_at) ?? updates.find((u) => u.status === 'completed')?.createdAt ?? scheduledUntil)
      : null;
  const componentSourceIds = list(raw.components)
    .map((c) => (isObject(c) ? str(c.id) : str(c)))
    .filter((c): c is string => c !== null);
  return {
    sourceId: id,
    title: cap(name, 200),
    status,
    scheduledFor,
    scheduledUntil,
    createdAt,
    updatedAt: Math.max(time(raw.updated_at) ?? createdAt, ...updates.map((u) => u.createdAt)),
    startedAt: status === 'scheduled' ? null : (started ?? scheduledFor),
    completedAt,
    // The clock moves an imported window on only while that is still ahead: a window already past
    // at import is never started or completed (which would tell its subscribers) by Candor.
    autoStart: raw.scheduled_auto_in_progress === true && scheduledFor > now,
    autoComplete: raw.scheduled_auto_completed === true && scheduledUntil > now,
    componentSourceIds,
    updates,
  };
}
