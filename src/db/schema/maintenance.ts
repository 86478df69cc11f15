// Scheduled maintenance windows, their components and their updates.
import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { components } from './components.ts';
import { users } from './auth.ts';
import { COMPONENT_STATES, MAINTENANCE_STATUSES } from '#domain/status.ts';

// Scheduled maintenance: a window announced in advance, started and completed on time (by the
// clock when automatic), with its own updates. While in progress its components are "under
// maintenance"; their state before it is kept to restore afterwards.
export const maintenances = sqliteTable(
  'maintenances',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: MAINTENANCE_STATUSES }).notNull(),
    scheduledFor: integer('scheduled_for').notNull(),
    scheduledUntil: integer('scheduled_until').notNull(),
    autoStart: integer('auto_start', { mode: 'boolean' }).notNull().default(true),
    autoComplete: integer('auto_complete', { mode: 'boolean' }).notNull().default(true),
    // When subscribers get a reminder (null: none), and whether they got it.
    remindAt: integer('remind_at'),
    remindedAt: integer('reminded_at'),
    startedAt: integer('started_at'),
    completedAt: integer('completed_at'),
    // iCalendar SEQUENCE: raised on every change a calendar should pick up.
    sequence: integer('sequence').notNull().default(0),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('maintenances_status_idx').on(t.status, t.scheduledFor),
    index('maintenances_window_idx').on(t.scheduledFor),
    // The page's last change (api/v2 `page.updated_at`), newest first.
    index('maintenances_updated_idx').on(t.updatedAt),
  ],
);

export const maintenanceComponents = sqliteTable(
  'maintenance_components',
  {
    maintenanceId: integer('maintenance_id')
      .notNull()
      .references(() => maintenances.id, { onDelete: 'cascade' }),
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    // The component's state when the maintenance started, restored when it completes.
    priorStatus: text('prior_status'),
  },
  (t) => [primaryKey({ columns: [t.maintenanceId, t.componentId] })],
);

export const maintenanceUpdates = sqliteTable(
  'maintenance_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    maintenanceId: integer('maintenance_id')
      .notNull()
      .references(() => maintenances.id, { onDelete: 'cascade' }),
    status: text('status', { enum: MAINTENANCE_STATUSES }).notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    authorName: text('author_name').notNull(),
  },
  (t) => [index('maintenance_updates_idx').on(t.maintenanceId, t.createdAt)],
);

// What each update did to the window's components (starting puts them under maintenance,
// completing restores them), as incident updates record it.
export const maintenanceUpdateComponents = sqliteTable(
  'maintenance_update_components',
  {
    updateId: integer('update_id')
      .notNull()
      .references(() => maintenanceUpdates.id, { onDelete: 'cascade' }),
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    oldStatus: text('old_status', { enum: COMPONENT_STATES }).notNull(),
    newStatus: text('new_status', { enum: COMPONENT_STATES }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.updateId, t.componentId] })],
);
