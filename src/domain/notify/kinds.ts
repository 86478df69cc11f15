// What subscribers can be told, over which channel, and the states a subscriber and a delivery
// go through: the single source for the outbox, the worker and the admin pages.
export const CHANNELS = ['email', 'webhook', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = { email: 'Email', webhook: 'Webhook', chat: 'Chat' };

/** Chat platforms a channel can subscribe from, each posted to in its own native format. */
export const CHAT_PLATFORMS = ['slack', 'teams', 'discord', 'google_chat'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];
export const CHAT_PLATFORM_LABELS: Record<ChatPlatform, string> = {
  slack: 'Slack',
  teams: 'Microsoft Teams',
  discord: 'Discord',
  google_chat: 'Google Chat',
};

/**
 * What a subscriber is: an address, a staff webhook, a chat channel; `staff` rows only receive
 * staff mail (invitations, resets), `viewer` rows only audience sign-in links.
 */
export const SUBSCRIBER_KINDS = ['email', 'webhook', ...CHAT_PLATFORMS, 'staff', 'viewer'] as const;
export type SubscriberKind = (typeof SUBSCRIBER_KINDS)[number];
/** The kinds the admin lists as subscribers (staff and viewer mail rows are not). */
export const LISTED_KINDS = ['email', 'webhook', ...CHAT_PLATFORMS] as const;
/** Rows that exist only to carry personal mail: never listed, exported or counted as subscribers. */
export const MAIL_ONLY_KINDS = ['staff', 'viewer'] as const;
export const SUBSCRIBER_KIND_LABELS: Record<SubscriberKind, string> = {
  email: 'Email',
  webhook: 'Webhook',
  ...CHAT_PLATFORM_LABELS,
  staff: 'Staff mail',
  viewer: 'Audience sign-in mail',
};

export const isChatPlatform = (kind: string): kind is ChatPlatform =>
  (CHAT_PLATFORMS as readonly string[]).includes(kind);

/** The outbox channel a subscriber of this kind is reached over. */
export function channelOf(kind: string): Channel {
  if (kind === 'webhook') return 'webhook';
  return isChatPlatform(kind) ? 'chat' : 'email';
}

export const SUBSCRIBER_STATES = ['pending', 'active', 'unsubscribed'] as const;
export type SubscriberState = (typeof SUBSCRIBER_STATES)[number];
export const SUBSCRIBER_STATE_LABELS: Record<SubscriberState, string> = {
  pending: 'Awaiting confirmation',
  active: 'Confirmed',
  unsubscribed: 'Unsubscribed',
};

export const DELIVERY_STATES = ['queued', 'sent', 'failed', 'skipped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export const DELIVERY_STATE_LABELS: Record<DeliveryState, string> = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped (unsubscribed before sending)',
};

/** Announcements fanned out to every matching confirmed subscriber. */
export const BROADCAST_KINDS = [
  'incident.created',
  'incident.updated',
  'incident.resolved',
  // A posted update's text was corrected, and the editor chose to tell subscribers.
  'incident.corrected',
  'component.updated',
  'postmortem.published',
  'postmortem.updated',
  'commitment.updated',
  'maintenance.scheduled',
  'maintenance.reminder',
  'maintenance.started',
  'maintenance.updated',
  'maintenance.completed',
] as const;
export type BroadcastKind = (typeof BROADCAST_KINDS)[number];

/** Messages about one subscription, sent to that subscriber whatever its state. */
export const PERSONAL_KINDS = [
  'subscription.confirm',
  'subscription.already',
  'webhook.verify',
  'user.invite',
  'user.reset',
  'access.link',
] as const;
export type PersonalKind = (typeof PERSONAL_KINDS)[number];

export const NOTIFICATION_KINDS = [...BROADCAST_KINDS, ...PERSONAL_KINDS] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * Channels each broadcast goes to. Component changes are for machines (Statuspage sends them to
 * webhooks); people get the incident's story instead of one email per component flip.
 */
export const BROADCAST_CHANNELS: Record<BroadcastKind, readonly Channel[]> = {
  'incident.created': ['email', 'webhook', 'chat'],
  'incident.updated': ['email', 'webhook', 'chat'],
  'incident.resolved': ['email', 'webhook', 'chat'],
  'incident.corrected': ['email', 'webhook', 'chat'],
  'component.updated': ['webhook'],
  'postmortem.published': ['email', 'webhook', 'chat'],
  'postmortem.updated': ['email', 'webhook', 'chat'],
  'commitment.updated': ['email', 'webhook', 'chat'],
  'maintenance.scheduled': ['email', 'webhook', 'chat'],
  'maintenance.reminder': ['email', 'webhook', 'chat'],
  'maintenance.started': ['email', 'webhook', 'chat'],
  'maintenance.updated': ['email', 'webhook', 'chat'],
  'maintenance.completed': ['email', 'webhook', 'chat'],
};

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  'incident.created': 'Incident opened',
  'incident.updated': 'Incident update',
  'incident.resolved': 'Incident resolved',
  'incident.corrected': 'Incident update corrected',
  'component.updated': 'Component state changed',
  'postmortem.published': 'Post-incident report published',
  'postmortem.updated': 'Post-incident report updated',
  'commitment.updated': 'Commitment completed or re-dated',
  'maintenance.scheduled': 'Maintenance scheduled',
  'maintenance.reminder': 'Maintenance reminder',
  'maintenance.started': 'Maintenance started',
  'maintenance.updated': 'Maintenance update',
  'maintenance.completed': 'Maintenance completed',
  'subscription.confirm': 'Confirm subscription',
  'subscription.already': 'Already subscribed notice',
  'webhook.verify': 'Webhook verification',
  'user.invite': 'Invitation to the admin',
  'user.reset': 'Password reset link',
  'access.link': 'Audience sign-in link',
};

/** Emails per provider call: Resend's batch endpoint takes at most 100. */
export const EMAIL_BATCH_SIZE = 100;
