// The JSON shapes of the automation API (v1), one function per resource.
import type { Component } from './components.ts';
import type { IncidentView } from './incidents.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function componentJson(c: Component) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    status: c.status,
    group_id: c.groupId,
    position: c.position,
    show_uptime: c.showUptime,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function incidentJson(i: IncidentView, baseUrl: string) {
  return {
    id: i.id,
    title: i.title,
    impact: i.impact,
    status: i.status,
    started_at: iso(i.startedAt),
    resolved_at: iso(i.resolvedAt),
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    url: `${baseUrl}/incidents/${i.id}`,
    updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      message: u.body,
      display_at: iso(u.displayAt),
      created_at: iso(u.createdAt),
      author: u.authorName,
      affected_components: u.affected.map((a) => ({ id: a.componentId, name: a.name, old_status: a.oldStatus, new_status: a.newStatus })),
    })),
  };
}
