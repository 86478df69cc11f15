// Roles and what each may do: the one place permissions are decided.
export const ROLES = ['admin', 'support', 'author'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin — everything, including components, groups, users and settings',
  support: 'Support — open, update and resolve incidents; manage subscribers',
  author: 'Author — write post-incident reviews',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export type Permission =
  | 'incidents:write'
  | 'components:write'
  | 'components:status'
  | 'subscribers:manage'
  // Ask for an RCA (support staff hear from customers first).
  | 'reviews:request'
  // Write reviews, reduce, approve (never one's own text) and publish.
  | 'reviews:write'
  // Read the audit log.
  | 'audit:read'
  // Invite users, change roles, deactivate, issue password reset links.
  | 'users:manage'
  // The page's settings, logo and favicon, glossary and alert routes.
  | 'settings:write'
  // Audiences: who, beyond the public, may read which components (members, passwords, IP ranges).
  | 'audiences:manage';

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: [
    'incidents:write',
    'components:write',
    'components:status',
    'subscribers:manage',
    'reviews:request',
    'reviews:write',
    'audit:read',
    'users:manage',
    'settings:write',
    'audiences:manage',
  ],
  support: ['incidents:write', 'components:status', 'subscribers:manage', 'reviews:request'],
  author: ['reviews:request', 'reviews:write'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** API token scopes: read-only, a support desk's rights, or everything the user's role allows. */
export const TOKEN_SCOPES = ['read', 'support', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function isTokenScope(value: unknown): value is TokenScope {
  return typeof value === 'string' && (TOKEN_SCOPES as readonly string[]).includes(value);
}

/** What a token may do: its scope's rights, capped by its user's role. Reading needs no permission. */
export function tokenCan(role: Role, scope: TokenScope, permission: Permission): boolean {
  const scoped = scope === 'admin' ? true : scope === 'support' ? GRANTS.support.includes(permission) : false;
  return scoped && can(role, permission);
}
