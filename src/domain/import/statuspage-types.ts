// A Statuspage page as the importer understands it, whichever API it was read from: ids are the
// source's (strings), times milliseconds, enumerations already Candor's. Types only.
import type { ComponentState, IncidentImpact, IncidentStatus, MaintenanceStatus } from '../status.ts';

export interface SourcePage {
  id: string;
  name: string;
  url: string | null;
}

export interface SourceGroup {
  sourceId: string;
  name: string;
  description: string;
  position: number;
  createdAt: number | null;
}

export interface SourceComponent {
  sourceId: string;
  name: string;
  description: string;
  position: number;
  status: ComponentState;
  groupSourceId: string | null;
  showcase: boolean;
  createdAt: number | null;
}

export interface SourceAffected {
  componentSourceId: string;
  oldStatus: ComponentState;
  newStatus: ComponentState;
}

export interface SourceIncidentUpdate {
  sourceId: string;
  status: IncidentStatus;
  body: string;
  createdAt: number;
  displayAt: number;
  affected: SourceAffected[];
}

export interface SourceIncident {
  sourceId: string;
  title: string;
  status: IncidentStatus;
  impact: IncidentImpact;
  createdAt: number;
  updatedAt: number;
  startedAt: number;
  resolvedAt: number | null;
  /** Oldest first; a published post-mortem arrives as the last one. */
  updates: SourceIncidentUpdate[];
}

export interface SourceMaintenanceUpdate {
  sourceId: string;
  status: MaintenanceStatus;
  body: string;
  createdAt: number;
  affected: SourceAffected[];
}

export interface SourceMaintenance {
  sourceId: string;
  title: string;
  status: MaintenanceStatus;
  scheduledFor: number;
  scheduledUntil: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  autoStart: boolean;
  autoComplete: boolean;
  componentSourceIds: string[];
  /** Oldest first. */
  updates: SourceMaintenanceUpdate[];
}

export interface SourceSubscriber {
  sourceId: string;
  kind: 'email' | 'webhook';
  /** Lower-cased email, or the webhook's URL. */
  address: string;
  /** null: every component. */
  componentSourceIds: string[] | null;
  createdAt: number | null;
}

export const ITEM_KINDS = ['group', 'component', 'incident', 'maintenance', 'subscriber'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** Something left out (skipped) or brought in with a caveat (warning), said so the admin can act. */
export interface ImportNote {
  kind: ItemKind | 'page';
  sourceId: string;
  name: string;
  message: string;
}

export interface SourceSnapshot {
  mode: 'public' | 'full';
  page: SourcePage;
  groups: SourceGroup[];
  components: SourceComponent[];
  incidents: SourceIncident[];
  maintenances: SourceMaintenance[];
  subscribers: SourceSubscriber[];
  /** Items that could not be read into the shapes above. */
  skipped: ImportNote[];
  /** Items read with a value replaced or dropped (an unknown status, a null time). */
  warnings: ImportNote[];
}
