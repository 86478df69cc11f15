// Sessions, passwords and tokens on a real libSQL file.
import { eq } from 'drizzle-orm';
import { beforeEach, expect, test } from 'vitest';
import type { Db } from '../src/db/client.ts';
import {
  createSession,
  invalidateUserSessions,
  SESSION_LIFETIME_MS,
  validateSessionToken,
} from '../src/domain/auth/sessions.ts';
import { setActive } from '../src/domain/auth/user-admin.ts';
import {
  authenticateApiToken,
  authenticateUser,
  completeSetup,
  createApiToken,
  createUser,
  issueSetupToken,
  listApiTokens,
  revokeApiToken,
} from '../src/domain/auth/users.ts';
import { listAudit } from '../src/domain/audit.ts';
import { hashToken } from '../src/domain/auth/tokens.ts';
import { sessions, users } from '../src/db/schema/index.ts';
import { freshDb } from './support/db.ts';

let db: Db;
beforeEach(async () => {
  ({ db } = await freshDb());
});

const DAY = 86_400_000;

test('passwords are stored as argon2id hashes and checked', async () => {
  const user = await createUser(db, {
    email: 'Ada@Example.com',
    name: 'Ada',
    role: 'admin',
    password: 'correct horse battery',
  });
  expect(user.email).toBe('ada@example.com');
  const [row] = await db.select().from(users);
  expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  expect(await authenticateUser(db, 'ada@example.com', 'correct horse battery')).toMatchObject({
    id: user.id,
    role: 'admin',
  });
  expect(await authenticateUser(db, 'ada@example.com', 'wrong password!')).toBeNull();
  expect(await authenticateUser(db, 'nobody@example.com', 'correct horse battery')).toBeNull();
  await expect(
    createUser(db, { email: 'ada@example.com', name: 'Again', role: 'admin', password: 'another long one' }),
  ).rejects.toThrow(/already exists/);
  await expect(createUser(db, { email: 'x@example.com', name: 'X', role: 'owner', password: 'short' })).rejects.toThrow(
    /Role must be one of admin, support, author.*Password must be at least 10/,
  );
});

test('sessions: only the token hash is stored; they expire, renew in their last 15 days, and can all be ended', async () => {
  const user = await createUser(db, { email: 'a@example.com', name: 'A', role: 'support', password: 'long enough pw' });
  const t0 = Date.UTC(2026, 0, 1);
  const { token } = await createSession(db, user.id, t0);
  expect(token).toMatch(/^[a-z2-7]{32}$/);
  const [row] = await db.select().from(sessions);
  expect(row.id).toBe(hashToken(token));
  expect(row.id).not.toContain(token);

  const fresh = await validateSessionToken(db, token, t0 + DAY);
  expect(fresh).toMatchObject({ user: { id: user.id, role: 'support' }, renewed: false });
  const late = await validateSessionToken(db, token, t0 + 20 * DAY);
  expect(late!.renewed).toBe(true);
  expect(late!.session.expiresAt).toBe(t0 + 20 * DAY + SESSION_LIFETIME_MS);
  expect(await validateSessionToken(db, token, t0 + 20 * DAY + SESSION_LIFETIME_MS)).toBeNull();
  expect(await db.select().from(sessions)).toHaveLength(0);

  const again = await createSession(db, user.id);
  await invalidateUserSessions(db, user.id);
  expect(await validateSessionToken(db, again.token)).toBeNull();
  expect(await validateSessionToken(db, 'not-a-token')).toBeNull();
});

test('API tokens authenticate until revoked', async () => {
  const user = await createUser(db, {
    email: 'bot@example.com',
    name: 'Bot',
    role: 'support',
    password: 'long enough pw',
  });
  const token = await createApiToken(db, user.id, 'pager');
  expect(token).toMatch(/^candor_[a-z2-7]{32}$/);
  expect(await authenticateApiToken(db, token)).toMatchObject({ id: user.id });
  expect(await authenticateApiToken(db, token + 'x')).toBeNull();
  const [listed] = await listApiTokens(db, user.id);
  expect(listed.lastUsedAt).not.toBeNull();
  await revokeApiToken(db, user.id, listed.id);
  expect(await authenticateApiToken(db, token)).toBeNull();
});

test('deactivating revokes the API tokens, audited in the same change; reactivating revives none', async () => {
  await createUser(db, { email: 'root@example.com', name: 'Root', role: 'admin', password: 'long enough pw' });
  const user = await createUser(db, {
    email: 'bot@example.com',
    name: 'Bot',
    role: 'support',
    password: 'long enough pw',
  });
  const token = await createApiToken(db, user.id, 'pager', 1_000);
  await setActive(db, user.id, false, 2_000);
  await setActive(db, user.id, true, 3_000);
  expect(await authenticateApiToken(db, token)).toBeNull();
  expect(await listApiTokens(db, user.id)).toMatchObject([{ name: 'pager', revokedAt: 2_000 }]);
  const revocations = (await listAudit(db, { action: 'token.revoke' })).entries;
  expect(revocations).toHaveLength(1);
  expect(JSON.parse(revocations[0].after!)).toEqual({ userId: user.id, name: 'pager', reason: 'user.deactivate' });
  expect(await authenticateApiToken(db, await createApiToken(db, user.id, 'new pager'))).toMatchObject({ id: user.id });
});

test('an account deactivated before tokens were revoked on deactivation gets its old tokens revoked when reactivated', async () => {
  const user = await createUser(db, {
    email: 'old@example.com',
    name: 'Old',
    role: 'support',
    password: 'long enough pw',
  });
  const old = await createApiToken(db, user.id, 'from before', 1_000);
  // What deactivation used to do: mark the user, leave the tokens.
  await db.update(users).set({ disabledAt: 2_000 }).where(eq(users.id, user.id));
  const since = await createApiToken(db, user.id, 'made while off', 2_500);
  await setActive(db, user.id, true, 3_000);
  expect(await authenticateApiToken(db, old)).toBeNull();
  expect(await authenticateApiToken(db, since)).toMatchObject({ id: user.id });
});

test('the setup link creates exactly one first admin, once', async () => {
  const link = await issueSetupToken(db);
  expect(link).not.toBeNull();
  const newer = await issueSetupToken(db);
  // Issuing a new link retires the old one.
  await expect(
    completeSetup(db, link!, { email: 'a@example.com', name: 'A', password: 'long enough pw' }),
  ).rejects.toThrow(/expired or was already used/);
  const admin = await completeSetup(db, newer!, { email: 'a@example.com', name: 'A', password: 'long enough pw' });
  expect(admin.role).toBe('admin');
  await expect(
    completeSetup(db, newer!, { email: 'b@example.com', name: 'B', password: 'long enough pw' }),
  ).rejects.toThrow(/expired or was already used/);
  expect(await issueSetupToken(db)).toBeNull();
});
