// Live lint while the external text is edited: the same rules as at approval and publication,
// run against the text in the editor (not yet saved) and the review's current record. Linting is
// part of editing, so it takes the role that saving does (as the review pages check it).
import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { can } from '#domain/auth/roles.ts';
import { InputError } from '#domain/errors.ts';
import { countBySeverity, LINT_RULES } from '#domain/rca/lint.ts';
import { lintSummary } from '#domain/rca/workflow.ts';
import { lintReview } from '#domain/rca/lint-context.ts';
import { loadReview } from '#domain/rca/reviews.ts';
import { toDraft } from '#domain/rca/sections.ts';
import { readJsonObject } from '#web/api.ts';
import { routeId } from '#web/route-id.ts';

export const POST: APIRoute = async ({ params, request, locals }) => {
  // The middleware has already sent anyone without a session to the login page.
  if (!locals.user || !can(locals.user.role, 'reviews:write'))
    return Response.json({ error: 'Your role may not edit reviews.' }, { status: 403 });
  const id = routeId(params.id);
  if (id === null) return Response.json({ error: 'No such review.' }, { status: 404 });
  try {
    const body = await readJsonObject(request);
    const review = await loadReview(getDb(), id);
    const findings = lintReview(review, toDraft(body));
    const counts = countBySeverity(findings);
    return Response.json(
      {
        findings: findings.map((f) => ({ ...f, label: LINT_RULES[f.rule].label })),
        ...counts,
        summary: lintSummary(counts),
      },
      { headers: { 'cache-control': 'no-store' } },
    );
  } catch (e) {
    if (e instanceof InputError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
};
