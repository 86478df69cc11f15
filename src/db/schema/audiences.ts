// Audiences: who, beyond the public, may read which parts of the page (issue 20). A component or
// group given to audiences is hidden from everyone else; what an incident, a maintenance or a
// post-mortem shows follows from the components it touches (src/domain/audiences/visibility.ts).
// Viewers are not staff: their sessions live apart from staff sessions and carry no staff rights.
import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { componentGroups, components } from './components.ts';
import { subscribers } from './subscribers.ts';

export const audiences = sqliteTable(
  'audiences',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    // argon2id of the shared password; null when the audience has none.
    passwordHash: text('password_hash'),
    // Raised whenever the password changes: sessions admitted with an older one end at once.
    credentialVersion: integer('credential_version').notNull().default(1),
    // JSON array of CIDRs ("203.0.113.0/24", "2001:db8::/32") admitted without signing in.
    ipAllowlist: text('ip_allowlist').notNull().default('[]'),
    // JSON array of single sign-on rules: {"claim": "email_domain" | "groups" | …, "value": "…"}.
    ssoRules: text('sso_rules').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('audiences_name_idx').on(t.name)],
);

// Who may ask for an email sign-in link: whole addresses or every address of a domain.
export const audienceMembers = sqliteTable(
  'audience_members',
  {
    audienceId: integer('audience_id')
      .notNull()
      .references(() => audiences.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['email', 'domain'] }).notNull(),
    // Lower-cased address or domain.
    value: text('value').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.audienceId, t.kind, t.value] }), index('audience_members_value_idx').on(t.value)],
);

// Components and groups given to audiences. None: public. A component without rows of its own
// takes its group's.
export const componentAudiences = sqliteTable(
  'component_audiences',
  {
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    audienceId: integer('audience_id')
      .notNull()
      .references(() => audiences.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.componentId, t.audienceId] }),
    index('component_audiences_audience_idx').on(t.audienceId),
  ],
);

export const groupAudiences = sqliteTable(
  'group_audiences',
  {
    groupId: integer('group_id')
      .notNull()
      .references(() => componentGroups.id, { onDelete: 'cascade' }),
    audienceId: integer('audience_id')
      .notNull()
      .references(() => audiences.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.audienceId] }), index('group_audiences_audience_idx').on(t.audienceId)],
);

// A viewer's session: the id is the SHA-256 of the secret in the viewer cookie (as staff sessions).
export const viewerSessions = sqliteTable(
  'viewer_sessions',
  {
    id: text('id').primaryKey(),
    // The address proven by a sign-in link or single sign-on; null after a shared password.
    email: text('email'),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('viewer_sessions_email_idx').on(t.email)],
);

// What a viewer session was admitted to, and how. A grant holds only while its method still
// admits: the password it was given with (credentialVersion), the member it was sent to.
export const viewerGrants = sqliteTable(
  'viewer_grants',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => viewerSessions.id, { onDelete: 'cascade' }),
    audienceId: integer('audience_id')
      .notNull()
      .references(() => audiences.id, { onDelete: 'cascade' }),
    method: text('method', { enum: ['email', 'password', 'sso'] }).notNull(),
    credentialVersion: integer('credential_version').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.audienceId] }), index('viewer_grants_audience_idx').on(t.audienceId)],
);

// Secret URLs for a member's feeds, calendar and JSON: a reader cannot send a cookie.
export const viewerFeedTokens = sqliteTable(
  'viewer_feed_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull(),
    audienceId: integer('audience_id')
      .notNull()
      .references(() => audiences.id, { onDelete: 'cascade' }),
    email: text('email'),
    // How its maker was admitted, and with which password or SSO rules: the URL stops working
    // when a grant made the same way would (see viewer-sessions' rule for grants).
    method: text('method', { enum: ['email', 'password', 'sso'] })
      .notNull()
      .default('email'),
    credentialVersion: integer('credential_version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [
    uniqueIndex('viewer_feed_tokens_hash_idx').on(t.tokenHash),
    index('viewer_feed_tokens_audience_idx').on(t.audienceId),
  ],
);

// Subscribers who subscribed as audience members: what they may be told about. None: the public.
export const subscriberAudiences = sqliteTable(
  'subscriber_audiences',
  {
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    audienceId: integer('audience_id')
      .notNull()
      .references(() => audiences.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.subscriberId, t.audienceId] }),
    index('subscriber_audiences_audience_idx').on(t.audienceId),
  ],
);
