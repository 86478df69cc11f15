// Users, their credentials, API tokens and the one-time first-admin setup link.
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { apiTokens, oneTimeTokens, users } from '#db/schema/index.ts';
import type { Db, DbOrTx } from '#db/client.ts';
import { recordAudit } from '../audit.ts';
import { ConflictError, InputError, NotFoundError, oneOf, parseInput } from '../errors.ts';
import { dummyVerify, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import {
  can,
  isRole,
  isTokenScope,
  ROLES,
  TOKEN_SCOPES,
  type Permission,
  type Role,
  type TokenScope,
} from './roles.ts';
import type { SessionUser } from './sessions.ts';
import { generateToken, hashToken } from './tokens.ts';

export const API_TOKEN_PREFIX = 'candor_';
const SETUP_LINK_LIFETIME_MS = 24 * 3_600_000;

export const newUserSchema = z.object({
  email: z
    .string({ error: 'is required' })
    .trim()
    .toLowerCase()
    .max(254, 'must be at most 254 characters')
    .email('must be an email address'),
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100),
  role: oneOf(ROLES),
  password: z
    .string({ error: 'is required' })
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(256, 'must be at most 256 characters'),
});

export async function countUsers(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(users);
  return Number(row.n);
}

/** Active users whose role grants `permission` (e.g. who can own an RCA). */
export async function listUsersWith(
  db: DbOrTx,
  permission: Permission,
): Promise<{ id: number; name: string; role: Role }[]> {
  const rows = await db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(isNull(users.disabledAt))
    .orderBy(users.name);
  return rows.flatMap((u) => (isRole(u.role) && can(u.role, permission) ? [{ ...u, role: u.role }] : []));
}

export async function createUser(db: DbOrTx, input: unknown, now = Date.now()): Promise<SessionUser> {
  const data = parseInput(newUserSchema, input);
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, data.email));
  if (existing) throw new ConflictError(`A user with the email ${data.email} already exists.`);
  const passwordHash = await hashPassword(data.password);
  const [row] = await db
    .insert(users)
    .values({ email: data.email, name: data.name, role: data.role, passwordHash, createdAt: now })
    .returning();
  await recordAudit(
    db,
    {
      action: 'user.create',
      subjectType: 'user',
      subjectId: row.id,
      after: { email: row.email, name: row.name, role: row.role },
    },
    now,
  );
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** Returns the user for a correct email and password, or null; both failures look the same. */
export async function authenticateUser(db: DbOrTx, email: string, password: string): Promise<SessionUser | null> {
  const [row] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
  if (!row) {
    await dummyVerify(password);
    return null;
  }
  if (!(await verifyPassword(row.passwordHash, password)) || row.disabledAt !== null) return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

const apiTokenSchema = z.object({
  name: z
    .string({ error: 'is required (say what the token is for)' })
    .trim()
    .min(1, 'is required (say what the token is for)')
    .max(100, 'must be at most 100 characters'),
  scope: oneOf(TOKEN_SCOPES),
});

export async function createApiToken(
  db: DbOrTx,
  userId: number,
  name: string,
  now = Date.now(),
  scope: TokenScope = 'admin',
): Promise<string> {
  const data = parseInput(apiTokenSchema, { name, scope });
  const token = API_TOKEN_PREFIX + generateToken();
  const [row] = await db
    .insert(apiTokens)
    .values({ userId, name: data.name, tokenHash: hashToken(token), scope: data.scope, createdAt: now })
    .returning({ id: apiTokens.id });
  await recordAudit(
    db,
    {
      action: 'token.create',
      subjectType: 'token',
      subjectId: row.id,
      after: { userId, name: data.name, scope: data.scope },
    },
    now,
  );
  return token;
}

export async function authenticateApiToken(
  db: DbOrTx,
  token: string,
  now = Date.now(),
): Promise<(SessionUser & { scope: TokenScope }) | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      scope: apiTokens.scope,
    })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.userId, users.id))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), isNull(users.disabledAt)));
  if (!row) return null;
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    scope: isTokenScope(row.scope) ? row.scope : 'read',
  };
}

/** The user's tokens, active first; revoked ones stay listed (with when) so the owner can see they ended. */
export async function listApiTokens(db: DbOrTx, userId: number) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(sql`${apiTokens.revokedAt} is not null`, asc(apiTokens.id));
}

export async function revokeApiToken(db: DbOrTx, userId: number, tokenId: number, now = Date.now()): Promise<void> {
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (revoked.length === 0) throw new NotFoundError('token', tokenId, `You have no active token with id ${tokenId}.`);
  await recordAudit(db, { action: 'token.revoke', subjectType: 'token', subjectId: tokenId, after: { userId } }, now);
}

/**
 * Revokes the active tokens of `userId` (only those made before `createdBefore`, when given)
 * inside the caller's transaction, with one audit entry each saying why. Revoked for good:
 * nothing turns a token back on. Returns how many were revoked.
 */
export async function revokeUserApiTokensIn(
  tx: DbOrTx,
  userId: number,
  why: { reason: string; createdBefore?: number },
  now = Date.now(),
): Promise<number> {
  const revoked = await tx
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(apiTokens.userId, userId),
        isNull(apiTokens.revokedAt),
        why.createdBefore === undefined ? undefined : lte(apiTokens.createdAt, why.createdBefore),
      ),
    )
    .returning({ id: apiTokens.id, name: apiTokens.name });
  for (const token of revoked) {
    await recordAudit(
      tx,
      {
        action: 'token.revoke',
        subjectType: 'token',
        subjectId: token.id,
        after: { userId, name: token.name, reason: why.reason },
      },
      now,
    );
  }
  return revoked.length;
}

/**
 * While no user exists, issues a fresh one-time link to create the first admin (earlier unused
 * links stop working). Returns null once any user exists.
 */
export async function issueSetupToken(db: Db, now = Date.now()): Promise<string | null> {
  return db.transaction(async (tx) => {
    if ((await countUsers(tx)) > 0) return null;
    await tx.delete(oneTimeTokens).where(and(eq(oneTimeTokens.purpose, 'setup'), isNull(oneTimeTokens.usedAt)));
    const token = generateToken();
    await tx.insert(oneTimeTokens).values({
      tokenHash: hashToken(token),
      purpose: 'setup',
      expiresAt: now + SETUP_LINK_LIFETIME_MS,
      createdAt: now,
    });
    return token;
  });
}

export async function isSetupTokenValid(db: DbOrTx, token: string, now = Date.now()): Promise<boolean> {
  const [row] = await db
    .select()
    .from(oneTimeTokens)
    .where(and(eq(oneTimeTokens.tokenHash, hashToken(token)), eq(oneTimeTokens.purpose, 'setup')));
  return !!row && row.usedAt === null && row.expiresAt > now && (await countUsers(db)) === 0;
}

/** Creates the first admin with a valid setup token; the token is spent in the same transaction. */
export async function completeSetup(db: Db, token: string, input: unknown, now = Date.now()): Promise<SessionUser> {
  const data = parseInput(newUserSchema.omit({ role: true }), input);
  return db.transaction(async (tx) => {
    if (!(await isSetupTokenValid(tx, token, now))) {
      throw new InputError(
        'This setup link has expired or was already used. Restart Candor to get a new one, or use `npm run candor -- user create`.',
      );
    }
    await tx
      .update(oneTimeTokens)
      .set({ usedAt: now })
      .where(eq(oneTimeTokens.tokenHash, hashToken(token)));
    return createUser(tx, { ...data, role: 'admin' }, now);
  });
}
