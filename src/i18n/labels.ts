// The enumerated states as the public reads them, in each language. The keys are written out so
// the catalogue check finds every one of them in the source.
import { chatChannelWhere } from '../domain/chat-webhooks.ts';
import type { Locale } from '../domain/locales.ts';
import { CHAT_PLATFORM_LABELS, isChatPlatform, type SubscriberState } from '../domain/notify/kinds.ts';
import type { ActionCategory, ActionStatus } from '../domain/rca/vocabulary.ts';
import type { ComponentState, IncidentImpact, IncidentStatus, Indicator, MaintenanceStatus } from '../domain/status.ts';
import { t, type MessageKey } from './t.ts';

const COMPONENT_STATE: Record<ComponentState, MessageKey> = {
  operational: 'state.operational',
  under_maintenance: 'state.under_maintenance',
  degraded_performance: 'state.degraded_performance',
  partial_outage: 'state.partial_outage',
  major_outage: 'state.major_outage',
};
const INCIDENT_STATUS: Record<IncidentStatus, MessageKey> = {
  investigating: 'incidentStatus.investigating',
  identified: 'incidentStatus.identified',
  monitoring: 'incidentStatus.monitoring',
  resolved: 'incidentStatus.resolved',
};
const IMPACT: Record<IncidentImpact, MessageKey> = {
  none: 'impact.none',
  minor: 'impact.minor',
  major: 'impact.major',
  critical: 'impact.critical',
};
const MAINTENANCE_STATUS: Record<MaintenanceStatus, MessageKey> = {
  scheduled: 'maintenanceStatus.scheduled',
  in_progress: 'maintenanceStatus.in_progress',
  verifying: 'maintenanceStatus.verifying',
  completed: 'maintenanceStatus.completed',
  cancelled: 'maintenanceStatus.cancelled',
};
const INDICATOR: Record<Indicator, MessageKey> = {
  none: 'indicator.none',
  maintenance: 'indicator.maintenance',
  minor: 'indicator.minor',
  major: 'indicator.major',
  critical: 'indicator.critical',
};
const SUBSCRIBER_STATE: Record<SubscriberState, MessageKey> = {
  pending: 'subscriberState.pending',
  active: 'subscriberState.active',
  unsubscribed: 'subscriberState.unsubscribed',
};
const ACTION_STATUS: Record<ActionStatus, MessageKey> = {
  open: 'actionStatus.open',
  in_progress: 'actionStatus.in_progress',
  done: 'actionStatus.done',
  wont_do: 'actionStatus.wont_do',
};
const ACTION_CATEGORY: Record<ActionCategory, MessageKey> = {
  prevent: 'actionCategory.prevent',
  detect: 'actionCategory.detect',
  recover: 'actionCategory.recover',
};

export const componentStateLabel = (locale: Locale, state: ComponentState) => t(locale, COMPONENT_STATE[state]);
export const incidentStatusLabel = (locale: Locale, status: IncidentStatus) => t(locale, INCIDENT_STATUS[status]);
/** "Minor impact": the impact with its noun, as each language puts them together. */
export const impactLabel = (locale: Locale, impact: IncidentImpact) => t(locale, IMPACT[impact]);
export const maintenanceStatusLabel = (locale: Locale, status: MaintenanceStatus) =>
  t(locale, MAINTENANCE_STATUS[status]);
/** The page's overall status line ("All Systems Operational"). */
export const indicatorLabel = (locale: Locale, indicator: Indicator) => t(locale, INDICATOR[indicator]);
export const subscriberStateLabel = (locale: Locale, state: SubscriberState) => t(locale, SUBSCRIBER_STATE[state]);
export const actionStatusLabel = (locale: Locale, status: ActionStatus) => t(locale, ACTION_STATUS[status]);
export const actionCategoryLabel = (locale: Locale, category: ActionCategory) => t(locale, ACTION_CATEGORY[category]);

/** A subscriber as the public pages name it: an address as it is, a chat channel in `locale`. */
export function subscriberLabelIn(locale: Locale, subscriber: { kind: string; address: string }): string {
  if (!isChatPlatform(subscriber.kind)) return subscriber.address;
  const platform = CHAT_PLATFORM_LABELS[subscriber.kind];
  const where = chatChannelWhere(subscriber.address);
  return where ? t(locale, 'subscriber.channelAt', { platform, where }) : t(locale, 'subscriber.channel', { platform });
}
