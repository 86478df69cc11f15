// What the lint checks a review's external text against: the names in the review and the facts
// of its record.
import { lintDraft, lintPublicFields, type LintContext, type LintFinding } from './lint.ts';
import type { Draft } from './sections.ts';
import { MOMENTS } from './metrics.ts';
import type { ReviewView } from './reviews.ts';

export function lintContextFor(view: ReviewView): LintContext {
  const people = [
    ...view.timeline.map((e) => e.actor),
    ...view.actions.map((a) => a.owner),
    ...view.authors.map((a) => a.name),
    ...(view.owner ? [view.owner.name] : []),
    ...(view.approver ? [view.approver.name] : []),
  ];
  const moments = MOMENTS.map((m) => view.moments[m]).filter((t): t is number => t !== null);
  const times = [
    ...moments,
    ...view.timeline.flatMap((e) => (e.endAt === null ? [e.at] : [e.at, e.endAt])),
    ...view.incidents.flatMap((i) => [
      i.startedAt,
      ...(i.resolvedAt === null ? [] : [i.resolvedAt]),
      ...i.updates.flatMap((u) => [u.displayAt, u.createdAt]),
    ]),
  ];
  // Any span between two key moments may be quoted ("resolved 40 minutes after we were alerted").
  const durations: number[] = [];
  for (let i = 0; i < moments.length; i++)
    for (let j = i + 1; j < moments.length; j++) durations.push(Math.abs(moments[j] - moments[i]));
  if (view.metrics.firstWordMs !== null) durations.push(view.metrics.firstWordMs);
  for (const e of view.timeline) if (e.endAt !== null) durations.push(e.endAt - e.at);
  return {
    glossary: view.glossary,
    people,
    startedAt: view.moments.startedAt,
    resolvedAt: view.moments.resolvedAt,
    times,
    durations,
    committedActions: view.actions.filter((a) => a.public && a.publicText && a.status !== 'wont_do').length,
    // Components customers see on the page are their vocabulary, however they are spelt.
    publicNames: view.affected.map((c) => c.name),
    referenceAt: view.moments.startedAt ?? view.incidents[0]?.startedAt ?? null,
  };
}

/**
 * Everything the lint says about what a publication would show: the sections of `draft` (the
 * saved text unless given) and the public wording of timeline entries and commitments.
 */
export function lintReview(view: ReviewView, draft: Draft = view.draft): LintFinding[] {
  const ctx = lintContextFor(view);
  const fields = [
    ...view.timeline
      .filter((e) => e.public)
      .map((e) => ({ field: `Timeline entry #${e.id} (public wording)`, text: e.publicText })),
    ...view.actions
      .filter((a) => a.public)
      .map((a) => ({ field: `Action item #${a.id} (public wording)`, text: a.publicText })),
  ];
  return [...lintDraft(draft, ctx), ...lintPublicFields(fields, ctx)];
}
