// Subscriptions: email and chat channels with double opt-in, and webhooks added by an admin and verified by a
// challenge. Answers to the public never reveal whether an address was already subscribed.
// The parts live in subscriber-*.ts; this module gathers them so callers import one name.
export { CONFIRM_LINK_TTL_MS, SUBSCRIBE_LIMITS, type Subscriber, type SubscriptionView } from './subscriber-rules.ts';
export * from './subscriber-self-service.ts';
export * from './subscriber-admin.ts';
export * from './subscriber-chat.ts';
