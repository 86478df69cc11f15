// Incidents, their updates and the component states each update set; templates staff start from;
// and which incident each alert group opened.
import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { now } from './columns.ts';
import { components } from './components.ts';
import { users } from './auth.ts';
import { COMPONENT_STATES, INCIDENT_IMPACTS, INCIDENT_STATUSES } from '#domain/status.ts';

export const incidents = sqliteTable(
  'incidents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    impact: text('impact', { enum: INCIDENT_IMPACTS }).notNull(),
    status: text('status', { enum: INCIDENT_STATUSES }).notNull(),
    startedAt: integer('started_at').notNull(),
    resolvedAt: integer('resolved_at'),
    // A draft (from an alert, when so configured) is visible to staff only until published.
    published: integer('published', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('incidents_started_idx').on(t.startedAt),
    // Open incidents (resolved_at IS NULL), public ones, newest by start or by creation: equality
    // on both leading columns and the order, so the planner never prefers walking the whole
    // `published` indexes below instead.
    index('incidents_open_started_idx').on(t.resolvedAt, t.published, t.startedAt),
    index('incidents_open_created_idx').on(t.resolvedAt, t.published, t.createdAt),
    // The public read path filters on `published` and reads newest first (rowid breaks ties):
    // history months and recent days by start, feeds and the v2 lists by creation, the page's
    // last update by update time.
    index('incidents_public_started_idx').on(t.published, t.startedAt),
    index('incidents_public_created_idx').on(t.published, t.createdAt),
    index('incidents_public_updated_idx').on(t.published, t.updatedAt),
  ],
);

export const incidentUpdates = sqliteTable(
  'incident_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    status: text('status', { enum: INCIDENT_STATUSES }).notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    // The time shown to readers; differs from createdAt when an update is back-dated.
    displayAt: integer('display_at').notNull(),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    authorName: text('author_name').notNull().default(''),
    // Set when staff corrected the text after posting (time and status never change).
    editedAt: integer('edited_at'),
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
    oldStatus: text('old_status', { enum: COMPONENT_STATES }).notNull(),
    newStatus: text('new_status', { enum: COMPONENT_STATES }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.updateId, t.componentId] }),
    // The history's component filter: the incidents that touched one component.
    index('incident_update_components_component_idx').on(t.componentId, t.updateId),
  ],
);

// Incident templates: the words and states support staff reach for under pressure.
export const incidentTemplates = sqliteTable(
  'incident_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    title: text('title').notNull().default(''),
    status: text('status', { enum: INCIDENT_STATUSES }).notNull(),
    impact: text('impact', { enum: INCIDENT_IMPACTS }).notNull(),
    message: text('message').notNull(),
    // JSON { componentId: state }
    components: text('components').notNull().default('{}'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('incident_templates_name_idx').on(t.name)],
);

// Which incident an alert group (Alertmanager's groupKey, or the generic webhook's key) opened,
// so repeated and later deliveries for the group update that incident instead of opening another.
export const alertGroups = sqliteTable(
  'alert_groups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    source: text('source').notNull(),
    groupKey: text('group_key').notNull(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    // Whether the group's last delivery had alerts firing, and on which components (JSON ids):
    // an incident several groups feed is resolved only when the last of them clears.
    firing: integer('firing', { mode: 'boolean' }).notNull().default(true),
    components: text('components').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('alert_groups_key_idx').on(t.source, t.groupKey),
    index('alert_groups_incident_idx').on(t.incidentId),
  ],
);
