// Which audiences a single sign-on admits to (issue 20): each audience's sso_rules, a JSON array of
// {claim, value}, matched against the claims the OpenID provider vouched for. `email` is the whole
// address, `email_domain` what follows its @ (both ignoring case), `groups` one of the names in the
// groups claim (exactly). An address the provider says is not verified matches nothing.
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.ts';
import { storedSsoRules } from './audience-reads.ts';
import { emailDomain } from './grant-rule.ts';
import { recordSignIn, recordSignInFailure } from './sign-in-audit.ts';
import { signInViewer } from './viewer-sessions.ts';
import type { SsoRule } from './vocabulary.ts';

/** What a sign-in proved, from the ID token and the userinfo answer. */
export interface SsoIdentity {
  /** Lower-cased; null when absent or not verified. */
  email: string | null;
  groups: string[];
}

/** The identity in a set of OpenID Connect claims. */
export function identityFromClaims(claims: Record<string, unknown>): SsoIdentity {
  const email =
    typeof claims.email === 'string' && claims.email.includes('@') && claims.email_verified !== false
      ? claims.email.trim().toLowerCase()
      : null;
  const raw = claims.groups;
  const groups = Array.isArray(raw)
    ? raw.filter((g): g is string => typeof g === 'string')
    : typeof raw === 'string'
      ? [raw]
      : [];
  return { email, groups };
}

export function ruleMatches(rule: SsoRule, identity: SsoIdentity): boolean {
  const value = rule.value.trim();
  switch (rule.claim) {
    case 'email':
      return identity.email !== null && identity.email === value.toLowerCase();
    case 'email_domain':
      return identity.email !== null && emailDomain(identity.email) === value.toLowerCase();
    case 'groups':
      return identity.groups.includes(value);
  }
}

/** The audiences whose rules `identity` meets, ascending, with their credential versions. */
export async function audiencesForIdentity(
  db: DbOrTx,
  identity: SsoIdentity,
): Promise<{ id: number; credentialVersion: number }[]> {
  const rows = await db.all<{ id: number; sso_rules: string; credential_version: number }>(
    sql`select id, sso_rules, credential_version from audiences where sso_rules <> '[]' order by id`,
  );
  return rows
    .filter((r) => storedSsoRules(r.sso_rules).some((rule) => ruleMatches(rule, identity)))
    .map((r) => ({ id: Number(r.id), credentialVersion: Number(r.credential_version) }));
}

/**
 * Signs the browser in with what the provider vouched for: to every audience whose rules match.
 * Returns null (and records the refusal) when none does.
 */
export async function signInWithSso(
  db: Db,
  claims: Record<string, unknown>,
  currentToken: string | null,
  now = Date.now(),
): Promise<{ token: string; expiresAt: number; identity: SsoIdentity } | { token: null; identity: SsoIdentity }> {
  const identity = identityFromClaims(claims);
  const audiences = await audiencesForIdentity(db, identity);
  if (audiences.length === 0) {
    await recordSignInFailure(db, { method: 'sso', email: identity.email, reason: 'no audience matches' }, now);
    return { token: null, identity };
  }
  const signedIn = await signInViewer(
    db,
    currentToken,
    {
      email: identity.email,
      grants: audiences.map((a) => ({ audienceId: a.id, method: 'sso', credentialVersion: a.credentialVersion })),
    },
    now,
  );
  await recordSignIn(db, { method: 'sso', email: identity.email, audienceIds: audiences.map((a) => a.id) }, now);
  return { token: signedIn.token, expiresAt: signedIn.session.expiresAt, identity };
}
