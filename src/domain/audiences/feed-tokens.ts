// Secret feed URLs for audience members (issue 20): feed readers, calendars and scripts send no
// cookie, so a member gets `/my/<token>/history.atom` and the like. Only the token's hash is
// stored; the member may revoke it, and it stops by itself when the admission it was made with
// would (grant-rule.ts). It never admits to more than one audience.
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import { audiences, viewerFeedTokens, viewerGrants } from '../../db/schema/index.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { admissionHolds, memberAudienceIds, type Admission } from './grant-rule.ts';
import { audienceViewer, type Viewer } from './viewer.ts';

/** Where a member's secret URLs live: `/my/<token>/…` stands for the public path `/…`. */
export const FEED_PREFIX = '/my/';

/** The paths a feed URL may stand for: feeds, the calendar and the v2 JSON. */
export const FEED_PATHS = [
  '/history.atom',
  '/history.rss',
  '/maintenance.ics',
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/api/v2/scheduled-maintenances/upcoming.json',
  '/api/v2/scheduled-maintenances/active.json',
] as const;

export interface FeedTokenRow {
  id: number;
  audienceId: number;
  audienceName: string;
  email: string | null;
  createdAt: number;
}

/**
 * A new secret URL for `viewer`'s audience `audienceId`, made the way the viewer was admitted to
 * it. Only a signed-in viewer (not one admitted by network address) may make one.
 */
export async function createFeedToken(
  db: Db,
  viewer: Viewer,
  admission: Admission,
  audienceId: number,
  now = Date.now(),
): Promise<string> {
  if (!viewer.audienceIds.includes(audienceId) || viewer.sessionId === null)
    throw new ForbiddenError('Sign in to this audience first: feed links are made for signed-in members only.');
  const token = generateToken();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(viewerFeedTokens)
      .values({
        tokenHash: hashToken(token),
        audienceId,
        email: viewer.email,
        method: admission.method,
        credentialVersion: admission.credentialVersion,
        createdAt: now,
      })
      .returning({ id: viewerFeedTokens.id });
    await recordAudit(
      tx,
      {
        action: 'audience.feed_link.create',
        subjectType: 'audience',
        subjectId: audienceId,
        after: { feedLink: row.id, email: viewer.email, method: admission.method },
      },
      now,
    );
  });
  return token;
}

/** The reader a feed URL's token stands for, or null when it is unknown, revoked or no longer holds. */
export async function resolveFeedToken(db: DbOrTx, token: string): Promise<Viewer | null> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return null;
  const [row] = await db
    .select({ token: viewerFeedTokens, audienceVersion: audiences.credentialVersion })
    .from(viewerFeedTokens)
    .innerJoin(audiences, eq(audiences.id, viewerFeedTokens.audienceId))
    .where(and(eq(viewerFeedTokens.tokenHash, hashToken(token)), isNull(viewerFeedTokens.revokedAt)));
  if (!row) return null;
  const member = row.token.email !== null && (await memberAudienceIds(db, row.token.email)).has(row.token.audienceId);
  if (!admissionHolds(row.token, row.audienceVersion, member)) return null;
  return audienceViewer([row.token.audienceId]);
}

/** The live feed URLs a signed-in member made (by address), or every one of an audience (staff). */
export async function listFeedTokens(
  db: DbOrTx,
  which: { email: string } | { audienceId: number },
): Promise<FeedTokenRow[]> {
  const owner =
    'email' in which ? eq(viewerFeedTokens.email, which.email) : eq(viewerFeedTokens.audienceId, which.audienceId);
  return db
    .select({
      id: viewerFeedTokens.id,
      audienceId: viewerFeedTokens.audienceId,
      audienceName: audiences.name,
      email: viewerFeedTokens.email,
      createdAt: viewerFeedTokens.createdAt,
    })
    .from(viewerFeedTokens)
    .innerJoin(audiences, eq(audiences.id, viewerFeedTokens.audienceId))
    .where(and(owner, isNull(viewerFeedTokens.revokedAt)))
    .orderBy(desc(viewerFeedTokens.createdAt));
}

/**
 * Revokes feed URL `id`: a member their own (made while signed in with `email`), staff any.
 * Revoking twice is harmless.
 */
export async function revokeFeedToken(
  db: Db,
  id: number,
  by: { email: string } | 'staff',
  now = Date.now(),
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(viewerFeedTokens).where(eq(viewerFeedTokens.id, id));
    if (!row || (by !== 'staff' && row.email !== by.email)) throw new NotFoundError('feed link', id);
    if (row.revokedAt !== null) return;
    await tx.update(viewerFeedTokens).set({ revokedAt: now }).where(eq(viewerFeedTokens.id, id));
    await recordAudit(
      tx,
      {
        action: 'audience.feed_link.revoke',
        subjectType: 'audience',
        subjectId: row.audienceId,
        after: { feedLink: id },
      },
      now,
    );
  });
}

export interface MemberAudience {
  id: number;
  name: string;
  admission: Admission;
}

/** The audiences a signed-in viewer's session holds grants for, and how each was admitted. */
export async function sessionAudiences(db: DbOrTx, viewer: Viewer): Promise<MemberAudience[]> {
  if (viewer.sessionId === null) return [];
  const rows = await db
    .select({
      id: audiences.id,
      name: audiences.name,
      method: viewerGrants.method,
      credentialVersion: viewerGrants.credentialVersion,
    })
    .from(viewerGrants)
    .innerJoin(audiences, eq(audiences.id, viewerGrants.audienceId))
    .where(eq(viewerGrants.sessionId, viewer.sessionId))
    .orderBy(asc(audiences.name));
  // Only grants that admitted this request (the middleware checked them).
  return rows
    .filter((r) => viewer.audienceIds.includes(r.id))
    .map((r) => ({
      id: r.id,
      name: r.name,
      admission: { method: r.method, credentialVersion: r.credentialVersion, email: viewer.email },
    }));
}
