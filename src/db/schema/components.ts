// Components and their groups.
import { sqliteTable, integer, real, text, index } from 'drizzle-orm/sqlite-core';
import { now } from './columns.ts';
import { COMPONENT_STATES } from '#domain/status.ts';

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
    status: text('status', { enum: COMPONENT_STATES }).notNull().default('operational'),
    showUptime: integer('show_uptime', { mode: 'boolean' }).notNull().default(true),
    // The uptime promised to customers, in percent (99.9 is "three nines"); SLA impact is measured against it.
    slaTarget: real('sla_target').notNull().default(99.9),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('components_group_idx').on(t.groupId, t.position)],
);
