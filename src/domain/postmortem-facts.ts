// What the Statuspage formats say about an incident's post-mortem: Candor's published RCA that
// covers it (its public summary, when it was first and last published). Reads the tables
// directly, so the modules that announce incidents can use it without importing the RCA workflow.
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { postmortemRevisions, reviewIncidents, reviews } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { reviewsSeen } from './audiences/visible-postmortems.ts';
import type { Visibility } from './audiences/visibility.ts';
import { inIds } from '../db/id-list.ts';

export interface PostmortemFacts {
  slug: string;
  /** The public "Summary and impact" section of the latest revision, Markdown. */
  summary: string;
  firstPublishedAt: number;
  lastPublishedAt: number;
}

/** The published post-mortem of each incident that has one (the latest published, if several). */
export async function postmortemFactsFor(
  db: DbOrTx,
  incidentIds: number[],
  v: Visibility,
): Promise<Map<number, PostmortemFacts>> {
  const facts = new Map<number, PostmortemFacts>();
  if (incidentIds.length === 0) return facts;
  const rows = await db
    .select({
      incidentId: reviewIncidents.incidentId,
      reviewId: reviews.id,
      slug: reviews.slug,
      content: postmortemRevisions.content,
      publishedAt: postmortemRevisions.publishedAt,
    })
    .from(reviewIncidents)
    .innerJoin(reviews, eq(reviews.id, reviewIncidents.reviewId))
    .innerJoin(postmortemRevisions, eq(postmortemRevisions.reviewId, reviews.id))
    .where(and(inIds(reviewIncidents.incidentId, incidentIds), isNotNull(reviews.slug)))
    .orderBy(asc(postmortemRevisions.publishedAt), asc(postmortemRevisions.revision));
  // A post-mortem also covering an incident this reader does not see is not theirs to read.
  const seen = await reviewsSeen(db, v, [...new Set(rows.map((r) => r.reviewId))]);
  // Oldest first: the first row of a slug is its first publication, the last its latest text.
  const firsts = new Map<string, number>();
  for (const row of rows) {
    if (!seen.has(row.reviewId)) continue;
    if (!firsts.has(row.slug!)) firsts.set(row.slug!, row.publishedAt);
    const { summary } = JSON.parse(row.content) as { summary?: string };
    facts.set(row.incidentId, {
      slug: row.slug!,
      summary: summary ?? '',
      firstPublishedAt: firsts.get(row.slug!)!,
      lastPublishedAt: row.publishedAt,
    });
  }
  return facts;
}
