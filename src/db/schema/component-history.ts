// Every state each component has been in, and which incident set it: uptime is computed from this.
import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { COMPONENT_STATES } from '#domain/status.ts';
import { components } from './components.ts';
import { incidents } from './incidents.ts';

// Every state a component has been in, from its creation on: uptime is computed from this.
export const componentStatusChanges = sqliteTable(
  'component_status_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    status: text('status', { enum: COMPONENT_STATES }).notNull(),
    changedAt: integer('changed_at').notNull(),
    incidentId: integer('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
  },
  (t) => [index('status_changes_component_time_idx').on(t.componentId, t.changedAt)],
);
