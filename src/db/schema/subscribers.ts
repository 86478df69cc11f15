// Email and webhook subscribers and the components each chose.
import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { now } from './columns.ts';
import { components } from './components.ts';
import { SUBSCRIBER_KINDS, SUBSCRIBER_STATES } from '#domain/notify/kinds.ts';
import { SUPPORTED_LOCALES } from '#domain/locales.ts';

// Email and webhook subscribers. An address is subscribed at most once per kind (unique index);
// re-subscribing reuses the row, so nobody is ever mailed twice for one event.
export const subscribers = sqliteTable(
  'subscribers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: SUBSCRIBER_KINDS }).notNull(),
    // A lower-cased email address, or a webhook URL.
    address: text('address').notNull(),
    state: text('state', { enum: SUBSCRIBER_STATES }).notNull(),
    allComponents: integer('all_components', { mode: 'boolean' }).notNull().default(true),
    // Carried in every message (manage and one-click unsubscribe links), so it is kept as is.
    manageToken: text('manage_token').notNull(),
    confirmTokenHash: text('confirm_token_hash'),
    confirmExpiresAt: integer('confirm_expires_at'),
    // Webhooks only: the HMAC-SHA256 signing key, shown to the admin who adds the webhook.
    secret: text('secret'),
    source: text('source').notNull(),
    // The language emails are written in: the one the subscriber subscribed (or last saved) in.
    locale: text('locale', { enum: SUPPORTED_LOCALES }).notNull().default('en'),
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
  (t) => [
    primaryKey({ columns: [t.subscriberId, t.componentId] }),
    index('subscriber_components_component_idx').on(t.componentId),
  ],
);
