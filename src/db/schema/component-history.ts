// Every state each component has been in, and which incident set it: uptime is computed from this.
import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { COMPONENT_STATES, type ComponentState } from '#domain/status.ts';
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

// Uptime rollups: how long each component spent in each state on each UTC day, folded from
// component_status_changes up to the mark below: one row per component and day, one column per
// state (`<state>_ms`). The public bars read these (90 x components rows at most) instead of the
// raw changes, so their cost does not grow with history.
const msColumn = (state: ComponentState) => integer(`${state}_ms`).notNull().default(0);
const stateColumns = Object.fromEntries(COMPONENT_STATES.map((s) => [s, msColumn(s)])) as Record<
  ComponentState,
  ReturnType<typeof msColumn>
>;

export const componentUptimeDays = sqliteTable(
  'component_uptime_days',
  {
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
    /** Start of the UTC day, in ms. */
    day: integer('day').notNull(),
    ...stateColumns,
  },
  (t) => [primaryKey({ columns: [t.componentId, t.day] }), index('component_uptime_days_day_idx').on(t.day)],
);

// Per component, the state and time of its latest change (the time from it on is still open),
// the highest change id folded and how many: a different id or count at start means rows were
// written around Candor.
export const componentUptimeMarks = sqliteTable('component_uptime_marks', {
  componentId: integer('component_id')
    .primaryKey()
    .references(() => components.id, { onDelete: 'cascade' }),
  changeId: integer('change_id').notNull(),
  changeCount: integer('change_count').notNull(),
  changedAt: integer('changed_at').notNull(),
  status: text('status', { enum: COMPONENT_STATES }).notNull(),
});

// One row counting the writes to the rollups above: readers keep the rollups they read until it
// moves, in every instance, since it moves in the transaction that writes them.
export const uptimeRollupVersion = sqliteTable('uptime_rollup_version', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull(),
});
