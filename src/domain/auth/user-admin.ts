// Managing the team: invitations and password resets by one-time link, role changes and
// deactivation — never leaving the page without an active admin.
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { oneTimeTokens, users } from '#db/schema/index.ts';
import type { Db, DbOrTx } from '#db/client.ts';
import { recordAudit } from '../audit.ts';
import { enqueuePersonal } from '../notify/outbox.ts';
import { staffRecipient } from '../subscribers.ts';
import { fieldError, ConflictError, InputError, NotFoundError, oneOf, parseInput } from '../errors.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { ROLES, type Role } from './roles.ts';
import { invalidateUserSessions } from './sessions.ts';
import { revokeUserApiTokensIn } from './users.ts';
import { generateToken, hashToken } from './tokens.ts';

export const PASSWORD_LINK_PURPOSES = ['invite', 'reset'] as const;
export type PasswordLinkPurpose = (typeof PASSWORD_LINK_PURPOSES)[number];
const LINK_LIFETIME_MS: Record<PasswordLinkPurpose, number> = { invite: 7 * 24 * 3_600_000, reset: 24 * 3_600_000 };

export interface TeamMember {
  id: number;
  email: string;
  name: string;
  role: Role;
  createdAt: number;
  disabledAt: number | null;
  /** Invited and has not yet chosen a password (by the invitation or any later link). */
  invited: boolean;
}

const passwordSchema = z
  .string({ error: 'is required' })
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, 'must be at most 256 characters');

export const inviteSchema = z.object({
  email: z
    .string({ error: 'is required' })
    .trim()
    .toLowerCase()
    .max(254, 'must be at most 254 characters')
    .email('must be an email address'),
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100),
  role: oneOf(ROLES),
});

export async function listTeam(db: DbOrTx): Promise<TeamMember[]> {
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      createdAt: users.createdAt,
      disabledAt: users.disabledAt,
      invited: sql<number>`exists (select 1 from one_time_tokens t where t.user_id = "users"."id" and t.purpose = 'invite')
        and not exists (select 1 from one_time_tokens t where t.user_id = "users"."id" and t.used_at is not null
          and t.purpose in ('invite', 'reset'))`,
    })
    .from(users)
    .orderBy(asc(users.name));
  return rows.map((r) => ({ ...r, role: r.role, invited: Boolean(r.invited) }));
}

async function member(tx: DbOrTx, id: number) {
  const [row] = await tx.select().from(users).where(eq(users.id, id));
  if (!row) throw new NotFoundError('user', id);
  return row;
}

async function otherActiveAdmins(tx: DbOrTx, id: number): Promise<number> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, id)));
  return rows.length;
}

async function issueLink(tx: DbOrTx, userId: number, purpose: PasswordLinkPurpose, now: number): Promise<string> {
  // A new link replaces the user's earlier unused ones.
  await tx
    .delete(oneTimeTokens)
    .where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, purpose), isNull(oneTimeTokens.usedAt)));
  const token = generateToken();
  await tx.insert(oneTimeTokens).values({
    tokenHash: hashToken(token),
    purpose,
    userId,
    expiresAt: now + LINK_LIFETIME_MS[purpose],
    createdAt: now,
  });
  return token;
}

/** What an invitation or reset email says: carried in the outbox like every message. */
export interface PasswordLinkPayload {
  name: string;
  email: string;
  role: string;
  token: string;
  expiresAt: number;
}

// The link goes out through the outbox, like every message: held and visible there without an email key.
async function mailLink(
  tx: DbOrTx,
  user: { name: string; email: string; role: string },
  purpose: PasswordLinkPurpose,
  token: string,
  now: number,
): Promise<void> {
  const payload: PasswordLinkPayload = {
    name: user.name,
    email: user.email,
    role: user.role,
    token,
    expiresAt: now + LINK_LIFETIME_MS[purpose],
  };
  await enqueuePersonal(
    tx,
    purpose === 'invite' ? 'user.invite' : 'user.reset',
    await staffRecipient(tx, user.email, now),
    payload,
    now,
    'email',
  );
}

/** Creates the account without a usable password and returns the one-time link to set one. */
export async function inviteUser(
  db: Db,
  input: unknown,
  now = Date.now(),
): Promise<{ user: TeamMember; token: string }> {
  const data = parseInput(inviteSchema, input);
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, data.email));
    if (existing) throw new ConflictError(`A user with the email ${data.email} already exists.`);
    // Nobody knows this password: the invitation link is the only way in.
    const passwordHash = await hashPassword(generateToken() + generateToken());
    const [row] = await tx
      .insert(users)
      .values({ ...data, passwordHash, createdAt: now })
      .returning();
    const token = await issueLink(tx, row.id, 'invite', now);
    await mailLink(tx, row, 'invite', token, now);
    await recordAudit(tx, { action: 'user.invite', subjectType: 'user', subjectId: row.id, after: data }, now);
    return {
      user: {
        id: row.id,
        email: row.email,
        name: row.name,
        role: row.role,
        createdAt: row.createdAt,
        disabledAt: null,
        invited: true,
      },
      token,
    };
  });
}

/** A reset link for the user (mailed through the outbox), with the name to show beside it. */
export async function issuePasswordReset(
  db: Db,
  userId: number,
  now = Date.now(),
): Promise<{ token: string; name: string }> {
  return db.transaction(async (tx) => {
    const row = await member(tx, userId);
    if (row.disabledAt !== null) throw new ConflictError(`${row.name} is deactivated; reactivate the account first.`);
    const token = await issueLink(tx, userId, 'reset', now);
    await mailLink(tx, row, 'reset', token, now);
    await recordAudit(tx, { action: 'user.password_reset_link', subjectType: 'user', subjectId: userId }, now);
    return { token, name: row.name };
  });
}

/** The user a one-time password link belongs to, if it is still good. */
export async function passwordLinkUser(
  db: DbOrTx,
  token: string,
  now = Date.now(),
): Promise<{ user: TeamMember; purpose: PasswordLinkPurpose } | null> {
  const [link] = await db
    .select()
    .from(oneTimeTokens)
    .where(eq(oneTimeTokens.tokenHash, hashToken(token)));
  if (
    !link ||
    link.usedAt !== null ||
    link.expiresAt <= now ||
    link.userId === null ||
    !(PASSWORD_LINK_PURPOSES as readonly string[]).includes(link.purpose)
  )
    return null;
  const [row] = await db.select().from(users).where(eq(users.id, link.userId));
  if (!row || row.disabledAt !== null) return null;
  return {
    user: { ...row, role: row.role, invited: link.purpose === 'invite' },
    purpose: link.purpose as PasswordLinkPurpose,
  };
}

/** Sets the password from a one-time link; the link is spent and every other session ends. */
export async function setPasswordWithLink(
  db: Db,
  token: string,
  input: unknown,
  now = Date.now(),
): Promise<TeamMember> {
  const { password } = parseInput(z.object({ password: passwordSchema }), input);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const found = await passwordLinkUser(tx, token, now);
    if (!found) throw new InputError('This link has expired or was already used. Ask an admin for a new one.');
    await tx
      .update(oneTimeTokens)
      .set({ usedAt: now })
      .where(eq(oneTimeTokens.tokenHash, hashToken(token)));
    await tx.update(users).set({ passwordHash }).where(eq(users.id, found.user.id));
    await invalidateUserSessions(tx, found.user.id);
    await recordAudit(
      tx,
      {
        action: found.purpose === 'invite' ? 'user.accept_invite' : 'user.password_reset',
        subjectType: 'user',
        subjectId: found.user.id,
      },
      now,
    );
    return found.user;
  });
}

export async function changeOwnPassword(db: Db, userId: number, input: unknown, now = Date.now()): Promise<void> {
  const data = parseInput(
    z.object({ current: z.string({ error: 'is required' }).min(1, 'is required'), password: passwordSchema }),
    input,
  );
  const row = await member(db, userId);
  if (!(await verifyPassword(row.passwordHash, data.current)))
    throw fieldError('current', 'does not match the password you log in with');
  const passwordHash = await hashPassword(data.password);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await recordAudit(tx, { action: 'user.password_change', subjectType: 'user', subjectId: userId }, now);
  });
}

export async function changeRole(db: Db, userId: number, input: unknown, now = Date.now()): Promise<void> {
  const { role } = parseInput(z.object({ role: oneOf(ROLES) }), input);
  await db.transaction(async (tx) => {
    const row = await member(tx, userId);
    if (row.role === role) return;
    if (row.role === 'admin' && row.disabledAt === null && (await otherActiveAdmins(tx, userId)) === 0) {
      throw new ConflictError(`${row.name} is the last admin; make someone else an admin first.`);
    }
    await tx.update(users).set({ role }).where(eq(users.id, userId));
    await recordAudit(
      tx,
      { action: 'user.role', subjectType: 'user', subjectId: userId, before: { role: row.role }, after: { role } },
      now,
    );
  });
}

/**
 * Deactivating ends the user's sessions and revokes their API tokens for good; reactivating
 * gives back the login, not the old tokens (new ones must be made).
 */
export async function setActive(db: Db, userId: number, active: boolean, now = Date.now()): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await member(tx, userId);
    if (active === (row.disabledAt === null)) return;
    if (!active && row.role === 'admin' && (await otherActiveAdmins(tx, userId)) === 0) {
      throw new ConflictError(`${row.name} is the last admin; make someone else an admin first.`);
    }
    await tx
      .update(users)
      .set({ disabledAt: active ? null : now })
      .where(eq(users.id, userId));
    await recordAudit(
      tx,
      { action: active ? 'user.reactivate' : 'user.deactivate', subjectType: 'user', subjectId: userId },
      now,
    );
    if (!active) {
      await invalidateUserSessions(tx, userId);
      await revokeUserApiTokensIn(tx, userId, { reason: 'user.deactivate' }, now);
    } else if (row.disabledAt !== null) {
      // Accounts deactivated before deactivation revoked tokens still hold live ones from before;
      // they must not come back either. (Tokens made for the account since were made on purpose.)
      await revokeUserApiTokensIn(tx, userId, { reason: 'user.reactivate', createdBefore: row.disabledAt }, now);
    }
  });
}
