// The single source of truth for every enumerated state in Candor: component states, incident
// impacts and statuses, their order of severity, labels, and how they weigh on uptime.
// Names follow Atlassian Statuspage so its clients understand them unchanged.

export const COMPONENT_STATES = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const;
export type ComponentState = (typeof COMPONENT_STATES)[number];

export const INCIDENT_IMPACTS = ['none', 'minor', 'major', 'critical'] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Scheduled maintenance, as Statuspage names it, plus "cancelled" (a window called off). */
export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed', 'cancelled'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];
export const MAINTENANCE_STATUS_LABELS: Record<MaintenanceStatus, string> = {
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
  cancelled: 'Cancelled',
};
/** Where each status may go next: forward only; a window not yet started may be called off. */
export const MAINTENANCE_TRANSITIONS: Record<MaintenanceStatus, readonly MaintenanceStatus[]> = {
  scheduled: ['scheduled', 'in_progress', 'cancelled'],
  in_progress: ['in_progress', 'verifying', 'completed'],
  verifying: ['verifying', 'in_progress', 'completed'],
  completed: ['completed'],
  cancelled: ['cancelled'],
};
export const isMaintenanceActive = (status: MaintenanceStatus) => status === 'in_progress' || status === 'verifying';

export const COMPONENT_STATE_LABELS: Record<ComponentState, string> = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

export const INCIDENT_STATUS_LABELS: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

export const INCIDENT_IMPACT_LABELS: Record<IncidentImpact, string> = {
  none: 'None',
  minor: 'Minor',
  major: 'Major',
  critical: 'Critical',
};

/**
 * Share of a period in a state that counts as downtime. Documented in the README:
 * a major outage counts fully, a partial outage partly (as Statuspage weighs it), degraded
 * performance and maintenance not at all — the service still answers.
 */
export const UPTIME_WEIGHTS: Record<ComponentState, number> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};

/** Severity rank used to pick the worst of several states (higher is worse). */
export function componentSeverity(state: ComponentState): number {
  return COMPONENT_STATES.indexOf(state);
}

export function worstComponentState(states: Iterable<ComponentState>): ComponentState {
  let worst: ComponentState = 'operational';
  for (const s of states) if (componentSeverity(s) > componentSeverity(worst)) worst = s;
  return worst;
}

export function isComponentState(value: unknown): value is ComponentState {
  return typeof value === 'string' && (COMPONENT_STATES as readonly string[]).includes(value);
}
export function isIncidentStatus(value: unknown): value is IncidentStatus {
  return typeof value === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(value);
}
export function isIncidentImpact(value: unknown): value is IncidentImpact {
  return typeof value === 'string' && (INCIDENT_IMPACTS as readonly string[]).includes(value);
}

/**
 * Statuspage's page indicator: the worse of the unresolved incidents' impact and the components'
 * state. "maintenance" is a real value there: a page whose only news is a component under
 * maintenance says indicator "maintenance", "Service Under Maintenance".
 */
export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

/** The indicator a component's state alone gives (the badge of one component uses it too). */
export const COMPONENT_INDICATOR: Record<ComponentState, Indicator> = {
  operational: 'none',
  under_maintenance: 'maintenance',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

const INDICATOR_RANK: Record<Indicator, number> = { none: 0, maintenance: 1, minor: 2, major: 3, critical: 4 };
export const INDICATORS = Object.keys(INDICATOR_RANK) as Indicator[];

export const INDICATOR_DESCRIPTIONS: Record<Indicator, string> = {
  none: 'All Systems Operational',
  maintenance: 'Service Under Maintenance',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
};

export interface OverallStatus {
  indicator: Indicator;
  description: string;
}

export function overallStatus(
  componentStates: Iterable<ComponentState>,
  activeIncidentImpacts: Iterable<IncidentImpact>,
): OverallStatus {
  let indicator: Indicator = 'none';
  const consider = (candidate: Indicator) => {
    if (INDICATOR_RANK[candidate] > INDICATOR_RANK[indicator]) indicator = candidate;
  };
  for (const s of componentStates) consider(COMPONENT_INDICATOR[s]);
  for (const impact of activeIncidentImpacts) consider(impact);
  return { indicator, description: INDICATOR_DESCRIPTIONS[indicator] };
}
