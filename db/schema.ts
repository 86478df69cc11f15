// Candor's database schema. Every time is stored as integer milliseconds since the epoch (UTC).
// Enumerated values are validated in src/domain/status.ts, the single source of truth for them.
import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const componentGroups = sqliteTable('component_groups', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  position: integer('position').notNull().default(0),
  createdAt: integer('created_at').notNull().default(now),
});

export const components = sqliteTable(
  'components',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    groupId: integer('group_id').references(() => componentGroups.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
    status: text('status').notNull().default('operational'),
    showUptime: integer('show_uptime', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('components_group_idx').on(t.groupId, t.position)],
);

// Every state a component has been in, from its creation on: uptime is computed from this.
export const componentStatusChanges = sqliteTable(
  'component_status_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    changedAt: integer('changed_at').notNull(),
    incidentId: integer('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
  },
  (t) => [index('status_changes_component_time_idx').on(t.componentId, t.changedAt)],
);

export const incidents = sqliteTable(
  'incidents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    impact: text('impact').notNull(),
    status: text('status').notNull(),
    startedAt: integer('started_at').notNull(),
    resolvedAt: integer('resolved_at'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [index('incidents_started_idx').on(t.startedAt), index('incidents_resolved_idx').on(t.resolvedAt)],
);

export const incidentUpdates = sqliteTable(
  'incident_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    // The time shown to readers; differs from createdAt when an update is back-dated.
    displayAt: integer('display_at').notNull(),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    authorName: text('author_name').notNull().default(''),
  },
  (t) => [index('incident_updates_incident_idx').on(t.incidentId, t.displayAt)],
);

export const incidentUpdateComponents = sqliteTable(
  'incident_update_components',
  {
    updateId: integer('update_id')
      .notNull()
      .references(() => incidentUpdates.id, { onDelete: 'cascade' }),
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    oldStatus: text('old_status').notNull(),
    newStatus: text('new_status').notNull(),
  },
  (t) => [primaryKey({ columns: [t.updateId, t.componentId] })],
);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    disabledAt: integer('disabled_at'),
  },
  (t) => [uniqueIndex('users_email_idx').on(t.email)],
);

// Sessions as in the Lucia guide: the id is the SHA-256 of the secret token held in the cookie.
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_idx').on(t.tokenHash)],
);

// Single-use links (first-admin setup now; invitations and password resets later).
export const oneTimeTokens = sqliteTable('one_time_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  purpose: text('purpose').notNull(),
  userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
  createdAt: integer('created_at').notNull().default(now),
});

// The change feed shared by every instance: written in the same transaction as the change it
// announces. Instances poll it to invalidate their page caches and to push live updates.
export const changeEvents = sqliteTable('change_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind').notNull(),
  subject: text('subject').notNull(),
  createdAt: integer('created_at').notNull().default(now),
});

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
