// Viewer sessions (issue 20): how an audience member stays signed in, apart from staff sessions.
// The cookie holds a random secret; the database holds its SHA-256 as the session id (as staff
// sessions). A session lasts a fixed time from its last sign-in, and each grant in it holds only
// while the way it was won still admits: a shared password or single sign-on grant while the
// audience's credential_version is the one it was given with (changing the password or the SSO
// rules raises it), an email grant while the address (or its domain) is still a member — one rule
// with the members' feed links (grant-rule.ts). All of it is checked on every request, so
// management never has to find and end sessions.
import { asc, eq, lte } from 'drizzle-orm';
import { audiences, viewerGrants, viewerLinks, viewerSessions } from '../../db/schema/index.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import { admissionHolds, memberAudienceIds } from './grant-rule.ts';
import type { AccessMethod } from './viewer.ts';

const DAY = 86_400_000;
/** How long a viewer stays signed in after signing in (signing in again starts the time anew). */
export const VIEWER_SESSION_LIFETIME_MS = 7 * DAY;

export type GrantMethod = Exclude<AccessMethod, 'ip'>;

export interface Grant {
  audienceId: number;
  method: GrantMethod;
  /** The audience's credential_version when granted (checked for password and sso). */
  credentialVersion: number;
}

/** What a sign-in proved: the audiences it admits to, and the address, when one was proven. */
export interface SignInProof {
  email: string | null;
  grants: Grant[];
}

export interface ValidViewerSession {
  id: string;
  email: string | null;
  expiresAt: number;
  /** The grants that still admit, ascending by audience. */
  grants: { audienceId: number; method: GrantMethod }[];
}

/** The grants of session `id` that still admit (grant-rule.ts), ascending by audience. */
async function liveGrants(
  db: DbOrTx,
  id: string,
  email: string | null,
): Promise<{ audienceId: number; method: GrantMethod }[]> {
  const rows = await db
    .select({
      audienceId: viewerGrants.audienceId,
      method: viewerGrants.method,
      credentialVersion: viewerGrants.credentialVersion,
      audienceVersion: audiences.credentialVersion,
    })
    .from(viewerGrants)
    .innerJoin(audiences, eq(audiences.id, viewerGrants.audienceId))
    .where(eq(viewerGrants.sessionId, id))
    .orderBy(asc(viewerGrants.audienceId));
  const members =
    email !== null && rows.some((r) => r.method === 'email') ? await memberAudienceIds(db, email) : new Set<number>();
  return rows
    .filter((r) => admissionHolds({ ...r, email }, r.audienceVersion, members.has(r.audienceId)))
    .map((r) => ({ audienceId: r.audienceId, method: r.method }));
}

/**
 * The session behind cookie secret `token` with its live grants, or null when there is none, it
 * has expired or nothing in it admits any more (then it is deleted: the cookie is dead).
 */
export async function validateViewerSession(
  db: DbOrTx,
  token: string,
  now = Date.now(),
): Promise<ValidViewerSession | null> {
  const id = hashToken(token);
  const [session] = await db.select().from(viewerSessions).where(eq(viewerSessions.id, id));
  if (!session) return null;
  const grants = now < session.expiresAt ? await liveGrants(db, id, session.email) : [];
  if (grants.length === 0) {
    await db.delete(viewerSessions).where(eq(viewerSessions.id, id));
    return null;
  }
  return { id, email: session.email, expiresAt: session.expiresAt, grants };
}

/**
 * Signs a viewer in: a new session (a new secret, so a cookie known before signing in is worth
 * nothing after) holding the new grants and those of the browser's current session that still
 * admit. Grants tied to an address (email, sso) carry over only when the new sign-in proves no
 * other address. Returns the new secret for the cookie.
 */
export async function signInViewer(
  db: Db,
  currentToken: string | null,
  proof: SignInProof,
  now = Date.now(),
): Promise<{ token: string; session: ValidViewerSession }> {
  const current = currentToken ? await validateViewerSession(db, currentToken, now) : null;
  const sameAddress = !current || proof.email === null || current.email === null || current.email === proof.email;
  const email = proof.email ?? (current && sameAddress ? current.email : null);
  const carried = new Map<number, Grant>();
  if (current) {
    const rows = await db.select().from(viewerGrants).where(eq(viewerGrants.sessionId, current.id));
    const live = new Set(current.grants.map((g) => g.audienceId));
    for (const row of rows) {
      if (!live.has(row.audienceId)) continue;
      if (!sameAddress && row.method !== 'password') continue;
      carried.set(row.audienceId, {
        audienceId: row.audienceId,
        method: row.method,
        credentialVersion: row.credentialVersion,
      });
    }
  }
  for (const grant of proof.grants) carried.set(grant.audienceId, grant);
  const token = generateToken();
  const id = hashToken(token);
  const expiresAt = now + VIEWER_SESSION_LIFETIME_MS;
  const grants = [...carried.values()].sort((a, b) => a.audienceId - b.audienceId);
  await db.transaction(async (tx) => {
    if (current) await tx.delete(viewerSessions).where(eq(viewerSessions.id, current.id));
    await tx.insert(viewerSessions).values({ id, email, expiresAt, createdAt: now });
    if (grants.length) {
      await tx.insert(viewerGrants).values(grants.map((g) => ({ sessionId: id, ...g, createdAt: now })));
    }
  });
  return {
    token,
    session: { id, email, expiresAt, grants: grants.map(({ audienceId, method }) => ({ audienceId, method })) },
  };
}

export async function signOutViewer(db: DbOrTx, sessionId: string): Promise<void> {
  await db.delete(viewerSessions).where(eq(viewerSessions.id, sessionId));
}

/**
 * Deletes what can no longer admit anyone: sessions past their time (with their grants) and
 * sign-in links past theirs. A session presented after its time is deleted then; this is for the
 * ones nobody comes back with.
 */
export async function pruneViewerAccess(db: DbOrTx, now = Date.now()): Promise<void> {
  await db.delete(viewerSessions).where(lte(viewerSessions.expiresAt, now));
  await db.delete(viewerLinks).where(lte(viewerLinks.expiresAt, now));
}
