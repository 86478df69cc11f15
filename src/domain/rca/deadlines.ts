// When an RCA is due (RCA-GUIDE.md §2): a draft 36 hours and publication 7 days after resolution,
// for the reviews that are expected at all, unless an explicit date was set.
import {
  DRAFT_DUE_AFTER_MS,
  PUBLISH_DUE_AFTER_MS,
  reviewExpected,
  type ReviewState,
  type Severity,
} from './vocabulary.ts';

export interface Deadlines {
  /** Draft expected (36 h after resolution), when a review is expected at all. */
  draftDueAt: number | null;
  /** "RCA expected by": the explicit date, or 7 days after resolution for Sev1/Sev2 and broken SLAs. */
  publishDueAt: number | null;
  draftOverdue: boolean;
  publishOverdue: boolean;
  expected: boolean;
}

export function effectiveDeadlines(
  review: {
    severity: Severity;
    rcaDueAt: number | null;
    resolvedAt: number | null;
    state: ReviewState;
    newFailureMode: boolean;
    publishedAt: number | null;
  },
  slaBroken: boolean,
  now: number,
): Deadlines {
  const expected = reviewExpected(review.severity, slaBroken, review.newFailureMode);
  const resolved = review.resolvedAt;
  const draftDueAt = expected && resolved !== null ? resolved + DRAFT_DUE_AFTER_MS : null;
  const publishDueAt = review.rcaDueAt ?? (expected && resolved !== null ? resolved + PUBLISH_DUE_AFTER_MS : null);
  // Once published, a revision in progress is not late: customers already have the RCA.
  const published = review.publishedAt !== null;
  return {
    draftDueAt,
    publishDueAt,
    expected,
    draftOverdue:
      draftDueAt !== null && now > draftDueAt && (review.state === 'requested' || review.state === 'assigned'),
    publishOverdue: publishDueAt !== null && now > publishDueAt && !published,
  };
}

/** When the last of the incidents was resolved, or null while any is open. */
export function latestResolution(rows: { resolvedAt: number | null }[]): number | null {
  if (rows.length === 0 || rows.some((r) => r.resolvedAt === null)) return null;
  return Math.max(...rows.map((r) => r.resolvedAt!));
}
