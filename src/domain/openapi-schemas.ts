// The shapes the automation API answers with and the alert bodies it takes, as zod schemas: the
// source of the OpenAPI document's components.
import { z } from 'zod';
import { SSO_CLAIMS } from './audiences/vocabulary.ts';
import { SUPPORTED_LOCALES } from './locales.ts';
import { COMPONENT_STATES, INCIDENT_IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES } from './status.ts';
import { LISTED_KINDS, SUBSCRIBER_STATES } from './notify/kinds.ts';

export const time = z.string().describe('ISO 8601 time, UTC');
export const state = z.enum(COMPONENT_STATES);

export const ErrorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.array(z.string()).optional() }),
  })
  .meta({ id: 'Error' });

export const Pagination = z
  .object({ page: z.int(), per_page: z.int(), total: z.int(), next_page: z.int().nullable() })
  .meta({ id: 'Pagination' });

export const Component = z
  .object({
    id: z.int(),
    name: z.string(),
    description: z.string(),
    status: state,
    group_id: z.int().nullable(),
    audience_ids: z
      .array(z.int())
      .describe('Audiences that may see it; empty: everyone (or, in a group, whoever sees the group)'),
    position: z.int(),
    show_uptime: z.boolean(),
    sla_target: z.number(),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: 'Component' });

export const Group = z
  .object({
    id: z.int(),
    name: z.string(),
    description: z.string(),
    position: z.int(),
    audience_ids: z.array(z.int()).describe('Audiences that may see it; empty: everyone'),
    created_at: time,
  })
  .meta({ id: 'Group' });

export const Audience = z
  .object({
    id: z.int(),
    name: z.string(),
    description: z.string(),
    members: z
      .array(z.string())
      .describe('Email addresses, and whole domains written "@example.com", that may ask for a sign-in link'),
    has_password: z.boolean().describe('Whether a shared password admits viewers (the password is never shown)'),
    ip_allowlist: z.array(z.string()).describe('CIDR ranges admitted without signing in'),
    sso_rules: z.array(z.object({ claim: z.enum(SSO_CLAIMS), value: z.string() })),
    component_ids: z.array(z.int()),
    group_ids: z.array(z.int()),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: 'Audience' });

export const IncidentUpdate = z
  .object({
    id: z.int(),
    status: z.enum(INCIDENT_STATUSES),
    message: z.string(),
    display_at: time,
    created_at: time,
    edited_at: time.nullable().describe('When staff last corrected the text; null when never'),
    author: z.string(),
    affected_components: z.array(z.object({ id: z.int(), name: z.string(), old_status: state, new_status: state })),
  })
  .meta({ id: 'IncidentUpdate' });

export const Incident = z
  .object({
    id: z.int(),
    title: z.string(),
    impact: z.enum(INCIDENT_IMPACTS),
    status: z.enum(INCIDENT_STATUSES),
    published: z.boolean(),
    started_at: time,
    resolved_at: time.nullable(),
    created_at: time,
    updated_at: time,
    url: z.string(),
    updates: z.array(IncidentUpdate),
  })
  .meta({ id: 'Incident' });

export const Maintenance = z
  .object({
    id: z.int(),
    title: z.string(),
    body: z.string(),
    status: z.enum(MAINTENANCE_STATUSES),
    scheduled_for: time,
    scheduled_until: time,
    auto_start: z.boolean(),
    auto_complete: z.boolean(),
    remind_at: time.nullable(),
    started_at: time.nullable(),
    completed_at: time.nullable(),
    created_at: time,
    updated_at: time,
    url: z.string(),
    components: z.array(z.object({ id: z.int(), name: z.string(), status: state })),
    updates: z.array(
      z.object({
        id: z.int(),
        status: z.enum(MAINTENANCE_STATUSES),
        message: z.string(),
        created_at: time,
        author: z.string(),
      }),
    ),
  })
  .meta({ id: 'Maintenance' });

export const Template = z
  .object({
    id: z.int(),
    name: z.string(),
    title: z.string(),
    status: z.enum(INCIDENT_STATUSES),
    impact: z.enum(INCIDENT_IMPACTS),
    message: z.string(),
    components: z.record(z.string(), state),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: 'Template' });

export const Subscriber = z
  .object({
    id: z.int(),
    // Chat channels (slack, teams, discord, google_chat) subscribe themselves on the public page.
    kind: z.enum(LISTED_KINDS),
    address: z.string(),
    state: z.enum(SUBSCRIBER_STATES),
    all_components: z.boolean(),
    source: z.string(),
    created_at: time,
    confirmed_at: time.nullable(),
    unsubscribed_at: time.nullable(),
  })
  .meta({ id: 'Subscriber' });

export const SubscriberExport = z
  .object({
    exported_at: time,
    subscriber: z.object({
      id: z.int(),
      kind: z.enum(['email', 'webhook']),
      address: z.string(),
      state: z.enum(['pending', 'active', 'unsubscribed']),
      source: z.string(),
      created_at: time,
      confirmed_at: time.nullable(),
      unsubscribed_at: time.nullable(),
      locale: z.enum(SUPPORTED_LOCALES).describe('The language its emails are written in'),
      has_signing_secret: z.boolean(),
    }),
    components: z.union([z.literal('all'), z.array(z.object({ id: z.int(), name: z.string() }))]),
    deliveries: z.array(
      z.object({
        id: z.int(),
        about: z.object({ kind: z.string(), title: z.string().nullable() }),
        state: z.enum(['queued', 'sent', 'failed', 'skipped']),
        attempts: z.int(),
        queued_at: time,
        sent_at: time.nullable(),
        provider_id: z.string().nullable(),
        last_error: z.string().nullable(),
      }),
    ),
    audit: z.array(
      z.object({
        at: time,
        action: z.string(),
        by: z.string(),
        before: z.string().nullable().meta({ description: 'The record before, as the JSON text the audit log holds.' }),
        after: z.string().nullable().meta({ description: 'The record after, as the JSON text the audit log holds.' }),
      }),
    ),
    rate_limits: z.array(z.object({ key: z.string(), window_start: time, count: z.int() })),
  })
  .meta({ id: 'SubscriberExport' });

export const Erasure = z
  .object({
    id: z.int(),
    dropped: z.int().meta({ description: 'Messages that were queued for the subscriber and will never be sent.' }),
    redacted: z.int().meta({ description: 'Audit entries whose record of the address was redacted.' }),
  })
  .meta({ id: 'Erasure' });

export const AlertOutcome = z
  .object({
    action: z.enum(['created', 'updated', 'resolved', 'unchanged', 'ignored']),
    incident_id: z.int().nullable(),
    unrouted: z.array(z.string()),
  })
  .meta({ id: 'AlertOutcome' });

export const Settings = z
  .object({
    name: z.string(),
    description: z.string(),
    brand_color: z.string().describe('#rrggbb; white text on it passes WCAG AA (4.5:1)'),
    header_links: z.array(z.object({ label: z.string(), url: z.string() })),
    footer_markdown: z.string(),
    time_zone: z.string().describe('IANA time zone the public page shows times in'),
    default_locale: z.enum(SUPPORTED_LOCALES),
    support_contact: z.string().describe('A web address or an email address; empty for none'),
    show_powered_by: z.boolean(),
    private_site: z.boolean().describe('Whole-site switch: only admitted audience viewers read anything'),
    logo_url: z.string().nullable(),
    favicon_url: z.string().nullable(),
  })
  .meta({ id: 'Settings' });
