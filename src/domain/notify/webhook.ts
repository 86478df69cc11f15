// Webhook bodies in Statuspage's envelope (meta, page, then incident or component_update +
// component), with Candor's event_type added, and their HMAC-SHA256 signature.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  CommitmentPayload,
  ComponentPayload,
  IncidentPayload,
  PostmortemPayload,
  VerifyPayload,
} from './events.ts';
import type { NotificationKind } from './kinds.ts';
import type { MaintenancePayload } from '../maintenance.ts';
import { bareRecordOf, componentJson, incidentJson, maintenanceJson, webhookPageJson } from '../statuspage-api.ts';
import { INDICATOR_DESCRIPTIONS } from '../status.ts';
import { incidentLink, postmortemLink, subscriptionLinks, type MessageContext } from './links.ts';
import { isoOrNull as iso } from '../format.ts';

export const SIGNATURE_HEADER = 'X-Candor-Signature';
export const EVENT_HEADER = 'X-Candor-Event';
export const DELIVERY_HEADER = 'X-Candor-Delivery';

export interface WebhookSource {
  kind: NotificationKind;
  payload: unknown;
  notifiedAt: number;
  manageToken: string;
}

function postmortemJson(
  ctx: MessageContext,
  p: PostmortemPayload['postmortem'],
  commitments: PostmortemPayload['commitments'],
) {
  return {
    id: p.slug,
    name: p.title,
    shortlink: postmortemLink(ctx, p.slug),
    revision: p.revision,
    change_note: p.changeNote || null,
    published_at: iso(p.publishedAt),
    started_at: iso(p.startedAt),
    resolved_at: iso(p.resolvedAt),
    summary: p.summary,
    incidents: p.incidents.map((i) => ({ id: String(i.id), name: i.title, shortlink: incidentLink(ctx, i.id) })),
    components: p.components.map((c) => ({ id: String(c.id), name: c.name })),
    commitments,
  };
}

/** The exact body posted for a delivery; built from the snapshot, so a retry posts the same bytes. */
export function webhookBody(ctx: MessageContext, source: WebhookSource): string {
  const meta = {
    unsubscribe: subscriptionLinks(ctx, source.manageToken).unsubscribe,
    documentation: `${ctx.publicUrl}/subscribe#webhooks`,
    generated_at: iso(source.notifiedAt),
  };
  switch (source.kind) {
    case 'incident.created':
    case 'incident.updated':
    case 'incident.resolved':
    case 'incident.corrected': {
      const payload = source.payload as IncidentPayload;
      return JSON.stringify({
        meta,
        page: webhookPageJson(ctx, payload.page),
        event_type: source.kind,
        incident: incidentJson(ctx, payload.incident),
      });
    }
    case 'component.updated': {
      const { page, component, record, change } = source.payload as ComponentPayload;
      return JSON.stringify({
        meta,
        page: webhookPageJson(ctx, page),
        event_type: source.kind,
        component_update: {
          id: String(change.id),
          component_id: String(component.id),
          created_at: iso(change.at),
          old_status: change.oldStatus,
          new_status: change.newStatus,
        },
        component: componentJson(ctx, record ?? bareRecordOf(component), component.status),
      });
    }
    case 'postmortem.published':
    case 'postmortem.updated': {
      const { page, postmortem, commitments } = source.payload as PostmortemPayload;
      return JSON.stringify({
        meta,
        page: webhookPageJson(ctx, page),
        event_type: source.kind,
        postmortem: postmortemJson(ctx, postmortem, commitments),
      });
    }
    case 'commitment.updated': {
      const { page, postmortem, commitment, commitments } = source.payload as CommitmentPayload;
      return JSON.stringify({
        meta,
        page: webhookPageJson(ctx, page),
        event_type: source.kind,
        postmortem: {
          id: postmortem.slug,
          name: postmortem.title,
          shortlink: postmortemLink(ctx, postmortem.slug),
          commitments,
        },
        commitment: {
          id: String(commitment.id),
          description: commitment.text,
          category: commitment.category,
          status: commitment.status,
          previous_status: commitment.previousStatus,
          due_at: iso(commitment.dueAt),
          previous_due_at: iso(commitment.previousDueAt),
          completed_at: iso(commitment.completedAt),
        },
      });
    }
    case 'maintenance.scheduled':
    case 'maintenance.reminder':
    case 'maintenance.started':
    case 'maintenance.updated':
    case 'maintenance.completed': {
      // Statuspage sends maintenance as an incident with impact "maintenance" and its window.
      const { page, maintenance, records } = source.payload as MaintenancePayload;
      return JSON.stringify({
        meta,
        page: webhookPageJson(ctx, page),
        event_type: source.kind,
        incident: maintenanceJson(ctx, maintenance, records),
      });
    }
    case 'webhook.verify': {
      const { challenge, page } = source.payload as VerifyPayload;
      return JSON.stringify({
        meta,
        // Verifications queued before the page's status was captured with them say "operational".
        page: webhookPageJson(ctx, page ?? { indicator: 'none', description: INDICATOR_DESCRIPTIONS.none }),
        event_type: 'subscription.verify',
        challenge,
      });
    }
    default:
      throw new Error(`Notifications of kind ${source.kind} are not sent to webhooks.`);
  }
}

/** `sha256=` and the hex HMAC-SHA256 of the raw body under the subscriber's secret. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver does (also used by Candor's tests): compare in constant time. */
export function verifyWebhookSignature(secret: string, body: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhook(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A verification succeeds when the endpoint answers 2xx with the challenge in its body. */
export function echoesChallenge(payload: unknown, responseBody: string): boolean {
  const { challenge } = payload as { challenge: string };
  return responseBody.includes(challenge);
}
