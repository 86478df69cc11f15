// What an import from another status page brought in: each source item's local counterpart (so
// running the import again updates instead of duplicating), and the runs started from the admin.
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

// One row per imported item: (source, kind, source id) names it at the source, local_id here.
// `fingerprint` is a hash of what was imported, so a later run tells "changed there" from "same".
export const importedRecords = sqliteTable(
  'imported_records',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // "statuspage:<page id or host>": two pages imported into one Candor never collide.
    source: text('source').notNull(),
    kind: text('kind').notNull(),
    sourceId: text('source_id').notNull(),
    localId: integer('local_id').notNull(),
    fingerprint: text('fingerprint').notNull().default(''),
    importedAt: integer('imported_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('imported_records_source_idx').on(t.source, t.kind, t.sourceId),
    index('imported_records_local_idx').on(t.kind, t.localId),
  ],
);

// Imports started from the admin: they run in the background; progress and the summary are kept.
export const importRuns = sqliteTable(
  'import_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // What was imported, never the key: "https://status.example.com" or "page abc123".
    source: text('source').notNull(),
    mode: text('mode', { enum: ['public', 'full'] }).notNull(),
    dryRun: integer('dry_run', { mode: 'boolean' }).notNull().default(false),
    state: text('state', { enum: ['running', 'done', 'failed'] }).notNull(),
    // JSON { phase, done, total }
    progress: text('progress').notNull().default('{}'),
    // JSON ImportSummary, once done; the error in words when failed.
    summary: text('summary'),
    error: text('error'),
    startedBy: integer('started_by'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('import_runs_started_idx').on(t.startedAt)],
);
