// The shapes of an internal post-incident review as every page, the reduction, the lint and the
// workflow see it. Types only: the leaf that the review and post-mortem modules both import.
import {
  type postmortemRevisions,
  type reviewActionChanges,
  type reviewActions,
  type reviewActivity,
  type reviewFactors,
  type reviews,
  type reviewTimeline,
} from '#db/schema/index.ts';
import { type IncidentView } from '../incidents.ts';
import { type ComponentState } from '../status.ts';
import { type Deadlines } from './deadlines.ts';
import { type KeyMoments, type ReviewMetrics } from './metrics.ts';
import { type SlaImpact } from './sla.ts';
import { type Draft } from './sections.ts';
import type { Glossary } from './lint-rules.ts';
import {
  type ActionCategory,
  type ActionPriority,
  type ActionStatus,
  type DetectedBy,
  type Effect,
  type FactorKind,
  type ReviewState,
  type Severity,
  type TimelineKind,
} from './vocabulary.ts';

export type ReviewRow = typeof reviews.$inferSelect;
export type TimelineEntry = Omit<typeof reviewTimeline.$inferSelect, 'kind' | 'effect'> & {
  kind: TimelineKind;
  effect: Effect;
};
export type Factor = Omit<typeof reviewFactors.$inferSelect, 'kind'> & { kind: FactorKind };
export type ActionItem = Omit<typeof reviewActions.$inferSelect, 'priority' | 'status' | 'category'> & {
  priority: ActionPriority;
  status: ActionStatus;
  category: ActionCategory;
};
export type ActionChange = typeof reviewActionChanges.$inferSelect;
export type Activity = typeof reviewActivity.$inferSelect;
export type RevisionMeta = Omit<typeof postmortemRevisions.$inferSelect, 'content' | 'sources'>;

export interface AffectedComponentSummary {
  id: number;
  name: string;
  /** The worst state the incidents put it in. */
  worst: ComponentState;
}

export interface ReviewView extends Omit<
  ReviewRow,
  'severity' | 'state' | 'detectedBy' | 'fiveWhys' | 'draft' | 'draftSources'
> {
  severity: Severity;
  state: ReviewState;
  detectedBy: DetectedBy;
  fiveWhys: string[];
  draft: Draft;
  draftSources: unknown;
  incidents: IncidentView[];
  owner: { id: number; name: string } | null;
  authors: { id: number; name: string }[];
  approver: { id: number; name: string } | null;
  timeline: TimelineEntry[];
  factors: Factor[];
  actions: ActionItem[];
  actionChanges: ActionChange[];
  activity: Activity[];
  revisions: RevisionMeta[];
  moments: KeyMoments;
  metrics: ReviewMetrics;
  /** When the first status-page update of the covered incidents went out. */
  firstPublicUpdateAt: number | null;
  affected: AffectedComponentSummary[];
  sla: SlaImpact[];
  deadlines: Deadlines;
  /** The glossary in force when the review was loaded: what the lint checks its text against. */
  glossary: Glossary;
}

export interface ReviewListItem {
  id: number;
  title: string;
  severity: Severity;
  state: ReviewState;
  ownerName: string | null;
  slug: string | null;
  deadlines: Deadlines;
  updatedAt: number;
}

export interface OverdueAction {
  id: number;
  reviewId: number;
  reviewTitle: string;
  title: string;
  owner: string;
  dueAt: number;
  public: boolean;
}
