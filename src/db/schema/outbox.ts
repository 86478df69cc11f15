// The durable outbox: what subscribers are told, one delivery per subscriber, and provider batches.
import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { now } from './columns.ts';
import { incidents } from './incidents.ts';
import { subscribers } from './subscribers.ts';
import { CHANNELS, DELIVERY_STATES, NOTIFICATION_KINDS } from '#domain/notify/kinds.ts';

// Something subscribers are told: written in the same transaction as the change it announces,
// with a snapshot of what to say, so a message sent later says what was true at that moment.
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    incidentId: integer('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    // The request that queued it, carried into the worker's log lines about its deliveries.
    requestId: text('request_id'),
  },
  (t) => [
    index('notifications_incident_idx').on(t.incidentId),
    // Which maintenance a message was about, for the Statuspage API's deliver_notifications.
    index('notifications_maintenance_idx').on(sql`json_extract(${t.payload}, '$.maintenance.id')`),
  ],
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
    channel: text('channel', { enum: CHANNELS }).notNull(),
    state: text('state', { enum: DELIVERY_STATES }).notNull(),
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
    channel: text('channel', { enum: CHANNELS }).notNull(),
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
