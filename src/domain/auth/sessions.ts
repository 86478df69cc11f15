// Sessions as described by the Lucia guide: the cookie holds a random token, the database holds
// its SHA-256 as the session id. Sessions last 30 days and are extended when used in the last 15.
import { eq } from 'drizzle-orm';
import { sessions, users } from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import { generateToken, hashToken } from './tokens.ts';
import type { Role } from './roles.ts';

export const SESSION_COOKIE = 'candor_session';
const DAY = 86_400_000;
export const SESSION_LIFETIME_MS = 30 * DAY;
const RENEW_WITHIN_MS = 15 * DAY;

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  id: string;
  userId: number;
  expiresAt: number;
}

export interface ValidatedSession {
  session: Session;
  user: SessionUser;
  /** True when the expiry moved and the cookie should be set again. */
  renewed: boolean;
}

export async function createSession(
  db: DbOrTx,
  userId: number,
  now = Date.now(),
): Promise<{ token: string; session: Session }> {
  const token = generateToken();
  const session = { id: hashToken(token), userId, expiresAt: now + SESSION_LIFETIME_MS };
  await db.insert(sessions).values({ ...session, createdAt: now });
  return { token, session };
}

export async function validateSessionToken(
  db: DbOrTx,
  token: string,
  now = Date.now(),
): Promise<ValidatedSession | null> {
  const id = hashToken(token);
  const [row] = await db
    .select({
      session: sessions,
      user: { id: users.id, email: users.email, name: users.name, role: users.role, disabledAt: users.disabledAt },
    })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(eq(sessions.id, id));
  if (!row) return null;
  if (now >= row.session.expiresAt || row.user.disabledAt !== null) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  let renewed = false;
  if (now >= row.session.expiresAt - RENEW_WITHIN_MS) {
    row.session.expiresAt = now + SESSION_LIFETIME_MS;
    await db.update(sessions).set({ expiresAt: row.session.expiresAt }).where(eq(sessions.id, id));
    renewed = true;
  }
  const { disabledAt: _disabled, ...user } = row.user;
  return {
    session: { id: row.session.id, userId: row.session.userId, expiresAt: row.session.expiresAt },
    user: { ...user, role: user.role },
    renewed,
  };
}

export async function invalidateSession(db: DbOrTx, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: DbOrTx, userId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}
