// When an admission still holds: one rule for viewer grants and feed URLs alike (design: a grant
// made with a password or single sign-on ends when the audience's password or SSO rules change —
// management raises credential_version —, one made with a sign-in link ends when its address is
// no longer a member).
import { and, eq, or } from 'drizzle-orm';
import { audienceMembers } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';

export interface Admission {
  method: 'email' | 'password' | 'sso';
  credentialVersion: number;
  email: string | null;
}

export function admissionHolds(admission: Admission, audienceCredentialVersion: number, isMember: boolean): boolean {
  if (admission.method === 'email') return admission.email !== null && isMember;
  return admission.credentialVersion === audienceCredentialVersion;
}

/** The domain part of an address, lower-cased ("a@Example.com" → "example.com"). */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/** Audiences listing `email` as a member, by the whole address or by its domain. */
export async function memberAudienceIds(db: DbOrTx, email: string): Promise<Set<number>> {
  const address = email.toLowerCase();
  const rows = await db
    .select({ id: audienceMembers.audienceId })
    .from(audienceMembers)
    .where(
      or(
        and(eq(audienceMembers.kind, 'email'), eq(audienceMembers.value, address)),
        and(eq(audienceMembers.kind, 'domain'), eq(audienceMembers.value, emailDomain(address))),
      ),
    );
  return new Set(rows.map((r) => r.id));
}
