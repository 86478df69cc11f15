// Every component and group as Statuspage describes it, in page order and numbered from 1 across
// the whole page (a group, then its members, then the components outside any group), so the
// position in components.json, in an incident's components and in a webhook is the same number.
// Reads the tables directly: the modules that announce changes import this one.
import { asc } from 'drizzle-orm';
import { componentGroups, components } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { worstComponentState, type ComponentState } from './status.ts';

export interface ComponentRecord {
  id: number;
  group: boolean;
  name: string;
  /** The group's name for a member (Statuspage prefixes it to the name in affected_components). */
  groupName: string | null;
  groupId: number | null;
  status: ComponentState;
  description: string;
  /** From 1 across the page, in the order the page shows them. */
  position: number;
  showcase: boolean;
  createdAt: number;
  updatedAt: number;
  /** A group's members, in page order. */
  members: number[];
}

/** Groups (only those with members) and components in page order, positions from 1. */
export async function loadComponentRecords(db: DbOrTx): Promise<ComponentRecord[]> {
  const [groups, comps] = await Promise.all([
    db.select().from(componentGroups).orderBy(asc(componentGroups.position), asc(componentGroups.id)),
    db.select().from(components).orderBy(asc(components.position), asc(components.id)),
  ]);
  const out: Omit<ComponentRecord, 'position'>[] = [];
  const placed = new Set<number>();
  const member = (c: (typeof comps)[number], groupName: string | null) => ({
    id: c.id,
    group: false,
    name: c.name,
    groupName,
    groupId: groupName === null ? null : c.groupId,
    status: c.status,
    description: c.description,
    showcase: c.showUptime,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    members: [],
  });
  for (const g of groups) {
    const members = comps.filter((c) => c.groupId === g.id);
    if (members.length === 0) continue;
    out.push({
      id: g.id,
      group: true,
      name: g.name,
      groupName: null,
      groupId: null,
      status: worstComponentState(members.map((m) => m.status)),
      description: g.description,
      showcase: false,
      createdAt: g.createdAt,
      updatedAt: Math.max(g.createdAt, ...members.map((m) => m.updatedAt)),
      members: members.map((m) => m.id),
    });
    for (const m of members) {
      out.push(member(m, g.name));
      placed.add(m.id);
    }
  }
  for (const c of comps) if (!placed.has(c.id)) out.push(member(c, null));
  return out.map((r, i) => ({ ...r, position: i + 1 }));
}

/** The components (not groups) among `records`, by id. */
export function componentsById(records: readonly ComponentRecord[]): Map<number, ComponentRecord> {
  return new Map(records.filter((r) => !r.group).map((r) => [r.id, r]));
}

/** "Group - Component" for a member, as Statuspage names affected components; the name alone otherwise. */
export const qualifiedName = (r: Pick<ComponentRecord, 'name' | 'groupName'>) =>
  r.groupName === null ? r.name : `${r.groupName} - ${r.name}`;
