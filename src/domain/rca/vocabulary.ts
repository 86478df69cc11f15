// The enumerations of post-incident reviews (RCA-GUIDE.md §2), their labels and the deadline
// rules: the single source for the forms, the validation, the lint and the public pages.

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4', 'sev5'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_LABELS: Record<Severity, string> = {
  sev1: 'Sev1 — complete outage',
  sev2: 'Sev2 — major functionality broken, revenue affected',
  sev3: 'Sev3 — minor problem',
  sev4: 'Sev4 — redundant component failed',
  sev5: 'Sev5 — false alarm or not actionable',
};

/** The workflow, in order. Each step is recorded in the activity log. */
export const REVIEW_STATES = ['requested', 'assigned', 'drafting', 'in_review', 'approved', 'published'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];
export const REVIEW_STATE_LABELS: Record<ReviewState, string> = {
  requested: 'Requested',
  assigned: 'Assigned',
  drafting: 'Drafting',
  in_review: 'In review',
  approved: 'Approved',
  published: 'Published',
};

export const DETECTED_BY = ['monitoring', 'customers', 'staff'] as const;
export type DetectedBy = (typeof DETECTED_BY)[number];
export const DETECTED_BY_LABELS: Record<DetectedBy, string> = {
  monitoring: 'Our monitoring',
  customers: 'Customer reports',
  staff: 'Our staff noticed',
};

export const TIMELINE_KINDS = ['detection', 'response', 'remediation', 'communication', 'decision'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
export const TIMELINE_KIND_LABELS: Record<TimelineKind, string> = {
  detection: 'Detection',
  response: 'Response',
  remediation: 'Remediation',
  communication: 'Communication',
  decision: 'Decision',
};

/** Effect of a timeline entry on restoring service. */
export const EFFECTS = ['positive', 'negative', 'neutral'] as const;
export type Effect = (typeof EFFECTS)[number];
export const EFFECT_LABELS: Record<Effect, string> = {
  positive: 'Helped restore service',
  negative: 'Delayed or worsened',
  neutral: 'Neutral',
};

export const FACTOR_KINDS = ['trigger', 'underlying', 'contributing'] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];
export const FACTOR_KIND_LABELS: Record<FactorKind, string> = {
  trigger: 'Trigger (what set it in motion)',
  underlying: 'Underlying cause (what the action items address)',
  contributing: 'Contributing factor',
};

export const ACTION_PRIORITIES = ['p1', 'p2', 'p3', 'p4'] as const;
export type ActionPriority = (typeof ACTION_PRIORITIES)[number];
export const ACTION_PRIORITY_LABELS: Record<ActionPriority, string> = {
  p1: 'P1 — urgent',
  p2: 'P2 — high',
  p3: 'P3 — normal',
  p4: 'P4 — low',
};

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
  wont_do: 'Dropped',
};

export const ACTION_CATEGORIES = ['prevent', 'detect', 'recover'] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];
/** The short names customers read on the RCA ("Prevent: …"). */
export const ACTION_CATEGORY_HEADINGS: Record<ActionCategory, string> = {
  prevent: 'Prevent',
  detect: 'Detect sooner',
  recover: 'Recover sooner',
};

export const ACTION_CATEGORY_LABELS: Record<ActionCategory, string> = {
  prevent: 'Prevent this and similar failures',
  detect: 'Detect sooner',
  recover: 'Recover sooner',
};

/** Statuses of an action item that is still a promise (checked for lateness). */
export const OPEN_ACTION_STATUSES: readonly ActionStatus[] = ['open', 'in_progress'];

export function isOpenAction(status: ActionStatus): boolean {
  return OPEN_ACTION_STATUSES.includes(status);
}

const HOUR_MS = 3_600_000;
/** The guide's deadlines after resolution: a draft within 36 hours, publication within 7 days. */
export const DRAFT_DUE_AFTER_MS = 36 * HOUR_MS;
export const PUBLISH_DUE_AFTER_MS = 7 * 24 * HOUR_MS;

/** Reviews are expected for Sev1 and Sev2, whenever an SLA promise was broken, and for new failure modes. */
export function reviewExpected(severity: Severity, slaBroken: boolean, newFailureMode: boolean): boolean {
  return severity === 'sev1' || severity === 'sev2' || slaBroken || newFailureMode;
}
