// The automation API's contract: every /api/v1 operation with its permission, request body and
// answers, as zod schemas. The OpenAPI 3.1 document served at /api/v1/openapi.json is generated
// from them, and the tests check the running API against the same schemas, so the document
// cannot drift from the implementation unnoticed.
import { z } from 'zod';
import { genericAlertSchema } from './alerts.ts';
import type { Permission } from './auth/roles.ts';
import { componentInputSchema, groupInputSchema } from './components.ts';
import { createIncidentSchema, postUpdateSchema } from './incidents.ts';
import { maintenanceUpdateSchema, scheduleSchema } from './maintenance.ts';
import { COMPONENT_STATES, INCIDENT_IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES } from './status.ts';
import { templateSchema } from './templates.ts';

const time = z.string().describe('ISO 8601 time, UTC');
const state = z.enum(COMPONENT_STATES);

export const ErrorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.array(z.string()).optional() }),
  })
  .meta({ id: 'Error' });

const Pagination = z
  .object({ page: z.int(), per_page: z.int(), total: z.int(), next_page: z.int().nullable() })
  .meta({ id: 'Pagination' });

const Component = z
  .object({
    id: z.int(),
    name: z.string(),
    description: z.string(),
    status: state,
    group_id: z.int().nullable(),
    position: z.int(),
    show_uptime: z.boolean(),
    sla_target: z.number(),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: 'Component' });

const Group = z
  .object({ id: z.int(), name: z.string(), description: z.string(), position: z.int(), created_at: time })
  .meta({ id: 'Group' });

const Incident = z
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
    updates: z.array(
      z.object({
        id: z.int(),
        status: z.enum(INCIDENT_STATUSES),
        message: z.string(),
        display_at: time,
        created_at: time,
        author: z.string(),
        affected_components: z.array(z.object({ id: z.int(), name: z.string(), old_status: state, new_status: state })),
      }),
    ),
  })
  .meta({ id: 'Incident' });

const Maintenance = z
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

const Template = z
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

const Subscriber = z
  .object({
    id: z.int(),
    kind: z.enum(['email', 'webhook']),
    address: z.string(),
    state: z.enum(['pending', 'active', 'unsubscribed']),
    all_components: z.boolean(),
    source: z.string(),
    created_at: time,
    confirmed_at: time.nullable(),
    unsubscribed_at: time.nullable(),
  })
  .meta({ id: 'Subscriber' });

const AlertOutcome = z
  .object({
    action: z.enum(['created', 'updated', 'resolved', 'unchanged', 'ignored']),
    incident_id: z.int().nullable(),
    unrouted: z.array(z.string()),
  })
  .meta({ id: 'AlertOutcome' });

const webhookInput = z.object({
  url: z.string(),
  components: z.union([z.literal('all'), z.array(z.int())]).optional(),
  verify: z.boolean().optional(),
});
const alertmanagerInput = z
  .object({
    version: z.literal('4'),
    groupKey: z.string(),
    status: z.enum(['firing', 'resolved']),
    alerts: z.array(z.object({}).passthrough()),
  })
  .passthrough();

export interface Operation {
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** Needed beyond a valid token (reads need none). */
  permission?: Permission;
  body?: z.ZodType;
  list?: boolean;
  success: { status: number; schema: z.ZodType | null };
}

const one = <K extends string>(key: K, schema: z.ZodType) => z.object({ [key]: schema } as Record<K, z.ZodType>);
const many = <K extends string>(key: K, schema: z.ZodType, paged = false) =>
  z.object({ [key]: z.array(schema), ...(paged ? { pagination: Pagination } : {}) });

export const OPERATIONS: Operation[] = [
  {
    id: 'listComponents',
    method: 'get',
    path: '/components',
    summary: 'List components',
    tag: 'Components',
    success: { status: 200, schema: many('components', Component) },
  },
  {
    id: 'createComponent',
    method: 'post',
    path: '/components',
    summary: 'Add a component',
    tag: 'Components',
    permission: 'components:write',
    body: componentInputSchema,
    success: { status: 201, schema: one('component', Component) },
  },
  {
    id: 'getComponent',
    method: 'get',
    path: '/components/{id}',
    summary: 'Get a component',
    tag: 'Components',
    success: { status: 200, schema: one('component', Component) },
  },
  {
    id: 'setComponentStatus',
    method: 'patch',
    path: '/components/{id}',
    summary: "Set a component's state",
    tag: 'Components',
    permission: 'components:status',
    body: z.object({ status: state }),
    success: { status: 200, schema: one('component', Component) },
  },
  {
    id: 'updateComponent',
    method: 'put',
    path: '/components/{id}',
    summary: "Replace a component's details",
    tag: 'Components',
    permission: 'components:write',
    body: componentInputSchema,
    success: { status: 200, schema: one('component', Component) },
  },
  {
    id: 'deleteComponent',
    method: 'delete',
    path: '/components/{id}',
    summary: 'Delete a component',
    tag: 'Components',
    permission: 'components:write',
    success: { status: 204, schema: null },
  },
  {
    id: 'listGroups',
    method: 'get',
    path: '/groups',
    summary: 'List component groups',
    tag: 'Components',
    success: { status: 200, schema: many('groups', Group) },
  },
  {
    id: 'createGroup',
    method: 'post',
    path: '/groups',
    summary: 'Add a component group',
    tag: 'Components',
    permission: 'components:write',
    body: groupInputSchema,
    success: { status: 201, schema: one('group', Group) },
  },
  {
    id: 'updateGroup',
    method: 'put',
    path: '/groups/{id}',
    summary: 'Replace a group',
    tag: 'Components',
    permission: 'components:write',
    body: groupInputSchema,
    success: { status: 200, schema: one('group', Group) },
  },
  {
    id: 'deleteGroup',
    method: 'delete',
    path: '/groups/{id}',
    summary: 'Delete a group (its components become ungrouped)',
    tag: 'Components',
    permission: 'components:write',
    success: { status: 204, schema: null },
  },
  {
    id: 'listIncidents',
    method: 'get',
    path: '/incidents',
    summary: 'List incidents, newest first',
    tag: 'Incidents',
    list: true,
    success: { status: 200, schema: many('incidents', Incident, true) },
  },
  {
    id: 'createIncident',
    method: 'post',
    path: '/incidents',
    summary: 'Open an incident',
    tag: 'Incidents',
    permission: 'incidents:write',
    body: createIncidentSchema,
    success: { status: 201, schema: one('incident', Incident) },
  },
  {
    id: 'getIncident',
    method: 'get',
    path: '/incidents/{id}',
    summary: 'Get an incident with its updates',
    tag: 'Incidents',
    success: { status: 200, schema: one('incident', Incident) },
  },
  {
    id: 'postIncidentUpdate',
    method: 'post',
    path: '/incidents/{id}/updates',
    summary: 'Post an update (resolving sets the end)',
    tag: 'Incidents',
    permission: 'incidents:write',
    body: postUpdateSchema,
    success: { status: 201, schema: z.object({ incident: Incident, update: z.object({}).passthrough() }) },
  },
  {
    id: 'publishIncident',
    method: 'post',
    path: '/incidents/{id}/publish',
    summary: 'Publish a draft incident (notifies unless notify is false)',
    tag: 'Incidents',
    permission: 'incidents:write',
    body: z.object({ notify: z.boolean().optional() }),
    success: { status: 200, schema: one('incident', Incident) },
  },
  {
    id: 'listMaintenance',
    method: 'get',
    path: '/maintenance',
    summary: 'List maintenance windows, latest first',
    tag: 'Maintenance',
    list: true,
    success: { status: 200, schema: many('maintenance', Maintenance, true) },
  },
  {
    id: 'scheduleMaintenance',
    method: 'post',
    path: '/maintenance',
    summary: 'Schedule maintenance',
    tag: 'Maintenance',
    permission: 'incidents:write',
    body: scheduleSchema,
    success: { status: 201, schema: one('maintenance', Maintenance) },
  },
  {
    id: 'getMaintenance',
    method: 'get',
    path: '/maintenance/{id}',
    summary: 'Get a maintenance window',
    tag: 'Maintenance',
    success: { status: 200, schema: one('maintenance', Maintenance) },
  },
  {
    id: 'rescheduleMaintenance',
    method: 'put',
    path: '/maintenance/{id}',
    summary: 'Reschedule a window not yet started',
    tag: 'Maintenance',
    permission: 'incidents:write',
    body: scheduleSchema,
    success: { status: 200, schema: one('maintenance', Maintenance) },
  },
  {
    id: 'postMaintenanceUpdate',
    method: 'post',
    path: '/maintenance/{id}/updates',
    summary: 'Post a maintenance update (start, verify, complete, cancel)',
    tag: 'Maintenance',
    permission: 'incidents:write',
    body: maintenanceUpdateSchema,
    success: { status: 201, schema: one('maintenance', Maintenance) },
  },
  {
    id: 'listTemplates',
    method: 'get',
    path: '/templates',
    summary: 'List incident templates',
    tag: 'Templates',
    success: { status: 200, schema: many('templates', Template) },
  },
  {
    id: 'createTemplate',
    method: 'post',
    path: '/templates',
    summary: 'Add an incident template',
    tag: 'Templates',
    permission: 'incidents:write',
    body: templateSchema,
    success: { status: 201, schema: one('template', Template) },
  },
  {
    id: 'getTemplate',
    method: 'get',
    path: '/templates/{id}',
    summary: 'Get a template',
    tag: 'Templates',
    success: { status: 200, schema: one('template', Template) },
  },
  {
    id: 'updateTemplate',
    method: 'put',
    path: '/templates/{id}',
    summary: 'Replace a template',
    tag: 'Templates',
    permission: 'incidents:write',
    body: templateSchema,
    success: { status: 200, schema: one('template', Template) },
  },
  {
    id: 'deleteTemplate',
    method: 'delete',
    path: '/templates/{id}',
    summary: 'Delete a template',
    tag: 'Templates',
    permission: 'incidents:write',
    success: { status: 204, schema: null },
  },
  {
    id: 'listSubscribers',
    method: 'get',
    path: '/subscribers',
    summary: 'List subscribers (filters q, state, kind)',
    tag: 'Subscribers',
    permission: 'subscribers:manage',
    list: true,
    success: { status: 200, schema: many('subscribers', Subscriber, true) },
  },
  {
    id: 'addWebhook',
    method: 'post',
    path: '/subscribers',
    summary: 'Add a webhook subscriber (the answer holds its signing secret, once)',
    tag: 'Subscribers',
    permission: 'subscribers:manage',
    body: webhookInput,
    success: { status: 201, schema: z.object({ subscriber: Subscriber, secret: z.string() }) },
  },
  {
    id: 'getSubscriber',
    method: 'get',
    path: '/subscribers/{id}',
    summary: 'Get a subscriber',
    tag: 'Subscribers',
    permission: 'subscribers:manage',
    success: { status: 200, schema: one('subscriber', Subscriber) },
  },
  {
    id: 'unsubscribe',
    method: 'delete',
    path: '/subscribers/{id}',
    summary: 'Unsubscribe a subscriber',
    tag: 'Subscribers',
    permission: 'subscribers:manage',
    success: { status: 200, schema: one('subscriber', Subscriber) },
  },
  {
    id: 'alertmanagerWebhook',
    method: 'post',
    path: '/alerts/alertmanager',
    summary: "Prometheus Alertmanager's webhook (payload version 4)",
    tag: 'Alerts',
    permission: 'incidents:write',
    body: alertmanagerInput,
    success: { status: 200, schema: AlertOutcome },
  },
  {
    id: 'genericAlert',
    method: 'post',
    path: '/alerts/generic',
    summary: 'An alert from any monitor',
    tag: 'Alerts',
    permission: 'incidents:write',
    body: genericAlertSchema,
    success: { status: 200, schema: AlertOutcome },
  },
];

const ERRORS: Record<number, string> = {
  400: 'The request is invalid; `error.details` says what is wrong with each field.',
  401: 'No token, or an unknown or revoked one.',
  403: "The token's scope or its user's role does not allow this.",
  404: 'Nothing with that id.',
  409: 'The change conflicts with the current state.',
  415: 'The body is not JSON: send `Content-Type: application/json` (UTF-8).',
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' });

/** The OpenAPI 3.1 document of /api/v1. */
export function openApiDocument(baseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const parameters = [
      ...(op.path.includes('{id}')
        ? [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }]
        : []),
      ...(op.list
        ? [
            { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 } },
            { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
          ]
        : []),
    ];
    const errors = [
      401,
      ...(op.permission ? [403] : []),
      ...(op.path.includes('{id}') ? [404] : []),
      ...(op.body || op.list ? [400] : []),
      ...(op.method !== 'get' ? [409] : []),
      ...(op.body ? [415] : []),
    ];
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      operationId: op.id,
      summary: op.summary,
      tags: [op.tag],
      ...(op.permission
        ? { description: `Needs the \`${op.permission}\` permission (token scope and user role).` }
        : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }
        : {}),
      responses: {
        [op.success.status]: op.success.schema
          ? {
              description: 'Success',
              content: { 'application/json': { schema: jsonSchema(op.success.schema, 'output') } },
            }
          : { description: 'Done; no body' },
        ...Object.fromEntries(
          [...new Set(errors)].map((status) => [
            status,
            {
              description: ERRORS[status],
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Candor automation API',
      version: '1',
      description:
        "Everything support staff do by hand, for scripts and monitoring. Send `Authorization: Bearer <token>`; tokens have a scope (read, support or admin) that never exceeds their user's role.",
    },
    servers: [{ url: `${baseUrl}/api/v1` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
    paths,
  };
}
