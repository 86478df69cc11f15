// Post-incident reviews (internal) and what was published of them, revision by revision.
import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { incidents } from './incidents.ts';
import { users } from './auth.ts';
import {
  ACTION_CATEGORIES,
  ACTION_PRIORITIES,
  ACTION_STATUSES,
  DETECTED_BY,
  EFFECTS,
  REVIEW_STATES,
  SEVERITIES,
} from '#domain/rca/vocabulary.ts';

// Post-incident reviews. Everything in these tables is internal, except what a review's
// published revisions (postmortem_revisions.content) and its public action items carry.
// Key moments are nullable until known; external sections are the draft being reduced and linted.
export const reviews = sqliteTable(
  'reviews',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    severity: text('severity', { enum: SEVERITIES }).notNull(),
    state: text('state', { enum: REVIEW_STATES }).notNull(),
    requestContext: text('request_context').notNull(),
    ownerId: integer('owner_id').references(() => users.id, { onDelete: 'set null' }),
    customerImpact: text('customer_impact').notNull().default(''),
    customersAffected: integer('customers_affected', { mode: 'boolean' }).notNull().default(true),
    detectedBy: text('detected_by', { enum: DETECTED_BY }).notNull().default('monitoring'),
    // A failure mode seen for the first time: a review is expected whatever the severity.
    newFailureMode: integer('new_failure_mode', { mode: 'boolean' }).notNull().default(false),
    startedAt: integer('started_at'),
    detectedAt: integer('detected_at'),
    acknowledgedAt: integer('acknowledged_at'),
    mitigatedAt: integer('mitigated_at'),
    resolvedAt: integer('resolved_at'),
    fiveWhys: text('five_whys').notNull().default('[]'),
    learnings: text('learnings').notNull().default(''),
    rcaDueAt: integer('rca_due_at'),
    // The external draft: JSON { title, summary, wrong, response, doing, recommendations } and,
    // per section, the internal sources it was reduced from with their fingerprints.
    draft: text('draft').notNull().default('{}'),
    draftSources: text('draft_sources').notNull().default('{}'),
    approvedHash: text('approved_hash'),
    approvedBy: integer('approved_by').references(() => users.id, { onDelete: 'set null' }),
    approvedAt: integer('approved_at'),
    slug: text('slug'),
    publishedAt: integer('published_at'),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('reviews_slug_idx').on(t.slug), index('reviews_state_idx').on(t.state, t.rcaDueAt)],
);

export const reviewIncidents = sqliteTable(
  'review_incidents',
  {
    reviewId: integer('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.incidentId] }), index('review_incidents_incident_idx').on(t.incidentId)],
);

// Who wrote the external text: the owner and everyone who edited it. None of them may approve it.
export const reviewAuthors = sqliteTable(
  'review_authors',
  {
    reviewId: integer('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.userId] })],
);

export const reviewTimeline = sqliteTable(
  'review_timeline',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reviewId: integer('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    endAt: integer('end_at'),
    actor: text('actor').notNull(),
    kind: text('kind').notNull(),
    effect: text('effect', { enum: EFFECTS }).notNull(),
    description: text('description').notNull(),
    public: integer('public', { mode: 'boolean' }).notNull().default(false),
    publicText: text('public_text').notNull().default(''),
  },
  (t) => [index('review_timeline_review_idx').on(t.reviewId, t.at)],
);

export const reviewFactors = sqliteTable(
  'review_factors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reviewId: integer('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    description: text('description').notNull(),
    public: integer('public', { mode: 'boolean' }).notNull().default(false),
    publicText: text('public_text').notNull().default(''),
  },
  (t) => [index('review_factors_review_idx').on(t.reviewId)],
);

export const reviewActions = sqliteTable(
  'review_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reviewId: integer('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    owner: text('owner').notNull(),
    priority: text('priority', { enum: ACTION_PRIORITIES }).notNull(),
    dueAt: integer('due_at').notNull(),
    status: text('status', { enum: ACTION_STATUSES }).notNull(),
    ticketUrl: text('ticket_url').notNull().default(''),
    category: text('category', { enum: ACTION_CATEGORIES }).notNull(),
    public: integer('public', { mode: 'boolean' }).notNull().default(false),
    publicText: text('public_text').notNull().default(''),
    completedAt: integer('completed_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('review_actions_review_idx').on(t.reviewId), index('review_actions_due_idx').on(t.status, t.dueAt)],
);

// Every change of an action item's status or due date, so a slipped promise stays visible.
export const reviewActionChanges = sqliteTable(
  'review_action_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    actionId: integer('action_id')
      .notNull()
      .references(() => reviewActions.id, { onDelete: 'cascade' }),
    field: text('field').notNull(),
    oldValue: text('old_value').notNull(),
    newValue: text('new_value').notNull(),
    at: integer('at').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    userName: text('user_name').notNull(),
  },
  (t) => [index('review_action_changes_action_idx').on(t.actionId, t.at)],
);

// The review's activity log: every workflow step and edit, with who and when. Append-only.
export const reviewActivity = sqliteTable(
  'review_activity',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reviewId: integer('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    userName: text('user_name').notNull(),
    action: text('action').notNull(),
    detail: text('detail').notNull().default(''),
  },
  (t) => [index('review_activity_review_idx').on(t.reviewId, t.at)],
);

// What was published, revision by revision. `content` is the public snapshot (sections, public
// timeline, affected components); `sources` holds only fingerprints, for drift detection.
export const postmortemRevisions = sqliteTable(
  'postmortem_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reviewId: integer('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    revision: integer('revision').notNull(),
    content: text('content').notNull(),
    sources: text('sources').notNull(),
    changeNote: text('change_note').notNull().default(''),
    minor: integer('minor', { mode: 'boolean' }).notNull().default(false),
    acknowledgement: text('acknowledgement').notNull().default(''),
    publishedAt: integer('published_at').notNull(),
    publishedBy: integer('published_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [uniqueIndex('postmortem_revisions_idx').on(t.reviewId, t.revision)],
);
