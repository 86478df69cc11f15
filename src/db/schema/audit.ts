// The audit log: who changed what, when, before and after.
import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';

// Who changed what, when, with the record before and after. Append-only: triggers in the
// migration refuse UPDATE and DELETE.
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: integer('actor_id'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    before: text('before'),
    after: text('after'),
    // The request that made the change (X-Request-Id), to find its log lines; null outside one.
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_subject_idx').on(t.subjectType, t.subjectId, t.at),
    index('audit_log_actor_idx').on(t.actorKind, t.actorId, t.at),
  ],
);
