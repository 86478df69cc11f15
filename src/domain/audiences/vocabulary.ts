// The words of audience management (issue 20): kinds of member and the claims a single sign-on
// rule may match. Imports nothing, so the rules, the admin forms and the sign-in code share them.

export const MEMBER_KINDS = ['email', 'domain'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

/**
 * What a single sign-on rule compares with its value: the domain of the verified email, the
 * whole email address, or one of the provider's `groups` claim values.
 */
export const SSO_CLAIMS = ['email_domain', 'email', 'groups'] as const;
export type SsoClaim = (typeof SSO_CLAIMS)[number];

export const SSO_CLAIM_LABELS: Record<SsoClaim, string> = {
  email_domain: 'Email domain is',
  email: 'Email address is',
  groups: 'Groups claim contains',
};

export interface AudienceMember {
  kind: MemberKind;
  /** Lower-cased address or domain. */
  value: string;
}

export interface SsoRule {
  claim: SsoClaim;
  value: string;
}

/** Most of each list one audience holds: far beyond real use, small enough to show on one page. */
export const MAX_MEMBERS = 5000;
export const MAX_IP_RANGES = 200;
export const MAX_SSO_RULES = 50;
