// What a reader is shown of records already read: the views of incidents, maintenance windows,
// component records and post-mortems with every hidden component left out. The rule itself (what
// is hidden from whom) is visibility.ts; this module only applies it, the same way everywhere —
// pages, fragments, feeds, v2 JSON, badge, widget, calendar, MCP and notifications.
// Without audiences every function hands back what it was given.
import type { ComponentRecord } from '../component-records.ts';
import type { IncidentView } from '../incident-types.ts';
import { worstComponentState } from '../status.ts';
import { componentVisible, hidesAnything, touchesVisible, visibleComponents, type Visibility } from './visibility.ts';

/**
 * What the maintenance functions need of a window (not MaintenanceView: maintenance-schemas.ts
 * imports the notifications, which import this module).
 */
interface WindowShape {
  components: readonly { id: number }[];
  updates: readonly { affected: readonly { componentId: number }[] }[];
}

/** Every component an incident touched, in any update. */
export function incidentComponentIds(view: Pick<IncidentView, 'updates'>): number[] {
  return [...new Set(view.updates.flatMap((u) => u.affected.map((a) => a.componentId)))];
}

/** Whether `view` (read without a visibility condition) may be shown: published and touching something seen. */
export function incidentSeen(v: Visibility, view: IncidentView): boolean {
  return view.published && touchesVisible(v, incidentComponentIds(view));
}

/** The incident with its hidden components left out of every update. */
export function incidentFor<T extends Pick<IncidentView, 'updates'>>(v: Visibility, view: T): T {
  if (!hidesAnything(v)) return view;
  return {
    ...view,
    updates: view.updates.map((u) => ({ ...u, affected: visibleComponents(v, u.affected, (a) => a.componentId) })),
  };
}

export function incidentsFor(v: Visibility, views: IncidentView[]): IncidentView[] {
  return hidesAnything(v) ? views.map((view) => incidentFor(v, view)) : views;
}

/** Whether a window (read without a visibility condition) may be shown: the twin of visibleMaintenance. */
export function maintenanceSeen(v: Visibility, m: Pick<WindowShape, 'components'>): boolean {
  return touchesVisible(
    v,
    m.components.map((c) => c.id),
  );
}

/** The window with its hidden components left out (its list and each update's). */
export function maintenanceFor<T extends WindowShape>(v: Visibility, m: T): T {
  if (!hidesAnything(v)) return m;
  return {
    ...m,
    components: visibleComponents(v, m.components, (c) => c.id),
    updates: m.updates.map((u) => ({ ...u, affected: visibleComponents(v, u.affected, (a) => a.componentId) })),
  };
}

/**
 * Windows read without a visibility condition: those seen, each with hidden components left out.
 * (Window lists are short and read whole; incidents are filtered in SQL instead.)
 */
export function maintenancesFor<T extends WindowShape>(v: Visibility, list: T[]): T[] {
  if (!hidesAnything(v)) return list;
  return list.filter((m) => maintenanceSeen(v, m)).map((m) => maintenanceFor(v, m));
}

/**
 * Component records as this reader sees them: hidden components gone, a hidden group's name gone
 * (its visible members stand outside any group), a group without visible members gone, a group's
 * state that of its visible members, positions numbered again from 1.
 */
export function componentRecordsFor(v: Visibility, records: readonly ComponentRecord[]): ComponentRecord[] {
  if (!hidesAnything(v)) return [...records];
  const hiddenGroups = new Set(v.hiddenGroupIds);
  const shown = records.filter((r) => r.group || componentVisible(v, r.id));
  const statusOf = new Map(shown.filter((r) => !r.group).map((r) => [r.id, r.status]));
  const grouped: ComponentRecord[] = [];
  const loose: ComponentRecord[] = [];
  for (const r of shown) {
    if (r.group) {
      if (hiddenGroups.has(r.id)) continue;
      const members = r.members.filter((id) => statusOf.has(id));
      if (members.length === 0) continue;
      grouped.push({ ...r, members, status: worstComponentState(members.map((id) => statusOf.get(id)!)) });
    } else if (r.groupId !== null && hiddenGroups.has(r.groupId)) {
      loose.push({ ...r, groupId: null, groupName: null });
    } else {
      grouped.push(r);
    }
  }
  return [...grouped, ...loose].map((r, i) => ({ ...r, position: i + 1 }));
}

/** A post-mortem snapshot's component list, without hidden components. */
export function postmortemComponentsFor<T extends { id: number }>(v: Visibility, list: readonly T[]): T[] {
  return visibleComponents(v, list, (c) => c.id);
}
