// Statuspage's subscribers read into the importer's shape. Consent decides: only a subscriber
// Statuspage lists as confirmed comes in; the others are reported as left out, with why.
import { emailSchema } from '../subscriber-rules.ts';
import { outboundPolicy, urlRefusal } from '../outbound-rules.ts';
import { isHttpUrl } from '../urls.ts';
import { isObject, list, note, str, text, time, type Notes } from './statuspage-map.ts';
import type { SourceSubscriber } from './statuspage-types.ts';

const SKIPPED_MODES: Record<string, string> = {
  sms: 'Candor does not send text messages (SMS)',
  slack: 'Slack subscriptions are confirmed from inside the channel; subscribe the channel again from Candor',
  teams: 'Teams subscriptions are confirmed from inside the channel; subscribe the channel again from Candor',
  integration_partner: 'integration partner subscriptions belong to Statuspage',
};

/**
 * A subscriber from the list asked for `state` ("active" are those who confirmed; the others are
 * read only to be reported as left out).
 */
export function readSubscriber(raw: unknown, state: string, notes: Notes): SourceSubscriber | null {
  const id = isObject(raw) ? str(raw.id) : null;
  if (!isObject(raw) || !id) {
    note(notes.skipped, 'subscriber', '?', '', 'a subscriber without an id');
    return null;
  }
  const mode = text(raw.mode) || (raw.endpoint ? 'webhook' : 'email');
  const label = mode === 'webhook' ? text(raw.endpoint) : text(raw.email);
  const skip = (message: string) => {
    note(notes.skipped, 'subscriber', id, `${mode} ${label}`.trim(), message);
    return null;
  };
  if (SKIPPED_MODES[mode]) return skip(SKIPPED_MODES[mode]);
  if (mode !== 'email' && mode !== 'webhook')
    return skip(`subscription mode ${JSON.stringify(mode)} is not one Candor knows`);
  // Only a subscriber Statuspage reports as confirmed ("active") arrives confirmed; the others
  // never agreed, and Candor does not write to them to ask.
  if (raw.quarantined_at) return skip('quarantined at Statuspage (messages to it bounced)');
  if (state === 'unconfirmed')
    return skip('never confirmed at Statuspage; Candor does not write to ask, they can subscribe again');
  if (state !== 'active') return skip(`state ${JSON.stringify(state)} at Statuspage is not a confirmed subscription`);
  let address: string;
  if (mode === 'email') {
    const parsed = emailSchema.safeParse(raw.email);
    if (!parsed.success) return skip('its email address is missing or not valid');
    address = parsed.data;
  } else {
    const endpoint = text(raw.endpoint).trim();
    if (!isHttpUrl(endpoint)) return skip('its webhook address is missing or not a web address');
    const refusal = urlRefusal(endpoint, outboundPolicy());
    if (refusal) return skip(`its webhook address ${refusal}`);
    address = endpoint;
  }
  // Statuspage lists the chosen component ids; none listed means every component.
  const chosen = list(raw.components)
    .map((c) => (isObject(c) ? str(c.id) : str(c)))
    .filter((c): c is string => c !== null);
  return {
    sourceId: id,
    kind: mode,
    address,
    componentSourceIds: chosen.length ? chosen : null,
    createdAt: time(raw.created_at),
  };
}

/**
 * Statuspage lists every component for a subscriber who follows them all: such a choice becomes
 * "all" in Candor, so components added later are followed too.
 */
export function widenFullChoices(subscribers: SourceSubscriber[], componentIds: string[]): void {
  for (const s of subscribers) {
    if (s.componentSourceIds && componentIds.length && componentIds.every((id) => s.componentSourceIds!.includes(id)))
      s.componentSourceIds = null;
  }
}
