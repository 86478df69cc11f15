// The change feed every instance follows, and instance-wide settings.
import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';
import { now } from './columns.ts';

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
