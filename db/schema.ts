// Candor's database schema. Every time is stored as integer milliseconds since the epoch (UTC).
// Enumerated values are validated in src/domain/status.ts, the single source of truth for them.
import { sql } from 'drizzle-orm';
import { sqliteTable, integer, real, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    // The uptime promised to customers, in percent (99.9 is "three nines"); SLA impact is measured against it.
    slaTarget: real('sla_target').notNull().default(99.9),
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
    // A draft (from an alert, when so configured) is visible to staff only until published.
    published: integer('published', { mode: 'boolean' }).notNull().default(true),
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
    // read | support | admin: what the token may do, never more than its user's role allows.
    scope: text('scope').notNull().default('admin'),
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

// Email and webhook subscribers. An address is subscribed at most once per kind (unique index);
// re-subscribing reuses the row, so nobody is ever mailed twice for one event.
export const subscribers = sqliteTable(
  'subscribers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    // A lower-cased email address, or a webhook URL.
    address: text('address').notNull(),
    state: text('state').notNull(),
    allComponents: integer('all_components', { mode: 'boolean' }).notNull().default(true),
    // Carried in every message (manage and one-click unsubscribe links), so it is kept as is.
    manageToken: text('manage_token').notNull(),
    confirmTokenHash: text('confirm_token_hash'),
    confirmExpiresAt: integer('confirm_expires_at'),
    // Webhooks only: the HMAC-SHA256 signing key, shown to the admin who adds the webhook.
    secret: text('secret'),
    source: text('source').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    confirmedAt: integer('confirmed_at'),
    unsubscribedAt: integer('unsubscribed_at'),
  },
  (t) => [
    uniqueIndex('subscribers_address_idx').on(t.kind, t.address),
    uniqueIndex('subscribers_manage_token_idx').on(t.manageToken),
    index('subscribers_confirm_idx').on(t.confirmTokenHash),
    index('subscribers_state_idx').on(t.state, t.kind),
  ],
);

export const subscriberComponents = sqliteTable(
  'subscriber_components',
  {
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    componentId: integer('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.componentId] }), index('subscriber_components_component_idx').on(t.componentId)],
);

// Something subscribers are told: written in the same transaction as the change it announces,
// with a snapshot of what to say, so a message sent later says what was true at that moment.
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    incidentId: integer('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('notifications_incident_idx').on(t.incidentId)],
);

// The durable outbox: one row per (notification, subscriber); the unique index is what makes
// a second fan-out of the same notification impossible.
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    notificationId: integer('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    batchId: integer('batch_id'),
    providerId: text('provider_id'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    uniqueIndex('deliveries_once_idx').on(t.notificationId, t.subscriberId),
    index('deliveries_pending_idx').on(t.channel, t.state, t.batchId, t.id),
    index('deliveries_batch_idx').on(t.batchId),
    index('deliveries_subscriber_idx').on(t.subscriberId, t.id),
  ],
);

// A provider call: up to 100 emails, or one webhook. Its membership and idempotency key never
// change, so a retry after a crash is recognised by the provider as the same request.
export const deliveryBatches = sqliteTable(
  'delivery_batches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channel: text('channel').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('delivery_batches_open_idx').on(t.state, t.nextAttemptAt)],
);

// Fixed-window counters shared by every instance (subscribe limits per IP and per address).
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  count: integer('count').notNull(),
});

// Post-incident reviews. Everything in these tables is internal, except what a review's
// published revisions (postmortem_revisions.content) and its public action items carry.
// Key moments are nullable until known; external sections are the draft being reduced and linted.
export const reviews = sqliteTable(
  'reviews',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    severity: text('severity').notNull(),
    state: text('state').notNull(),
    requestContext: text('request_context').notNull(),
    ownerId: integer('owner_id').references(() => users.id, { onDelete: 'set null' }),
    customerImpact: text('customer_impact').notNull().default(''),
    customersAffected: integer('customers_affected', { mode: 'boolean' }).notNull().default(true),
    detectedBy: text('detected_by').notNull().default('monitoring'),
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
    effect: text('effect').notNull(),
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
    priority: text('priority').notNull(),
    dueAt: integer('due_at').notNull(),
    status: text('status').notNull(),
    ticketUrl: text('ticket_url').notNull().default(''),
    category: text('category').notNull(),
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

// Scheduled maintenance: a window announced in advance, started and completed on time (by the
// clock when automatic), with its own updates. While in progress its components are "under
// maintenance"; their state before it is kept to restore afterwards.
export const maintenances = sqliteTable(
  'maintenances',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    status: text('status').notNull(),
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
  (t) => [index('maintenances_status_idx').on(t.status, t.scheduledFor), index('maintenances_window_idx').on(t.scheduledFor)],
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
    status: text('status').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    authorName: text('author_name').notNull(),
  },
  (t) => [index('maintenance_updates_idx').on(t.maintenanceId, t.createdAt)],
);

// Incident templates: the words and states support staff reach for under pressure.
export const incidentTemplates = sqliteTable(
  'incident_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    title: text('title').notNull().default(''),
    status: text('status').notNull(),
    impact: text('impact').notNull(),
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
  (t) => [uniqueIndex('alert_groups_key_idx').on(t.source, t.groupKey), index('alert_groups_incident_idx').on(t.incidentId)],
);

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
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_subject_idx').on(t.subjectType, t.subjectId, t.at), index('audit_log_actor_idx').on(t.actorKind, t.actorId, t.at)],
);
