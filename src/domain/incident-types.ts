// The shapes of an incident as pages, the API, notifications and reviews see it. Types only, so
// the modules that build incidents and those that announce them can both import it.
import type { incidents, incidentUpdates } from '../db/schema/index.ts';
import type { ComponentState, IncidentImpact, IncidentStatus } from './status.ts';

export type Incident = typeof incidents.$inferSelect;
export type IncidentUpdate = typeof incidentUpdates.$inferSelect;

export interface AffectedComponent {
  componentId: number;
  name: string;
  oldStatus: ComponentState;
  newStatus: ComponentState;
}

export interface IncidentUpdateView extends IncidentUpdate {
  status: IncidentStatus;
  affected: AffectedComponent[];
}

export interface IncidentView extends Incident {
  impact: IncidentImpact;
  status: IncidentStatus;
  /** Newest first. */
  updates: IncidentUpdateView[];
}

export interface Author {
  id: number | null;
  name: string;
}
