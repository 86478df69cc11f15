// The OpenAPI document against the running API: every documented operation exists and answers in
// its documented shape, every route file is documented, errors share one shape, scopes hold.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorBody, OPERATIONS } from '../src/domain/openapi.ts';
import { adminSession } from './support/admin-session.ts';
import { createUserWithToken } from './support/api.ts';
import { LOGO_SVG, TINY_PNG } from './support/images.ts';
import { startServer, type TestServer } from './support/server.ts';
import { compileStrict } from './support/tsc.ts';

let server: TestServer;
let admin: string;
let rootPassword: string;
let reader: string;
let support: string;

// Set as in production: unset, the document names http://localhost:PORT, true for a local install
// but a placeholder to Redocly's no-server-example.com rule.
const PUBLIC_URL = 'https://status.candor.test';

beforeAll(async () => {
  server = await startServer({ env: { PUBLIC_URL } });
  const root = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
  admin = root.token;
  rootPassword = root.password;
  reader = createUserWithToken(server.dbFile, 'admin', 'reader@example.com', 'Reader', 'read').token;
  support = createUserWithToken(server.dbFile, 'admin', 'desk@example.com', 'Desk', 'support').token;
});
afterAll(async () => {
  await server?.stop();
});

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const r = await fetch(`${server.url}/api/v1${path}`, {
    method: method.toUpperCase(),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const soon = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** One real request per operation, in an order where each finds what it needs. */
const EXAMPLES: {
  id: string;
  path: (ids: Record<string, number>) => string;
  body?: (ids: Record<string, number>) => unknown;
  keep?: (body: any, ids: Record<string, number>) => void;
  prepare?: (ids: Record<string, number>) => Promise<void>;
}[] = [
  { id: 'listComponents', path: () => '/components' },
  {
    id: 'createGroup',
    path: () => '/groups',
    body: () => ({ name: 'Edge' }),
    keep: (b, ids) => (ids.group = b.group.id),
  },
  { id: 'listGroups', path: () => '/groups' },
  { id: 'updateGroup', path: (ids) => `/groups/${ids.group}`, body: () => ({ name: 'Edge network', position: 3 }) },
  {
    id: 'createComponent',
    path: () => '/components',
    body: (ids) => ({ name: 'CDN', groupId: ids.group, slaTarget: 99.95 }),
    keep: (b, ids) => (ids.component = b.component.id),
  },
  { id: 'getComponent', path: (ids) => `/components/${ids.component}` },
  {
    id: 'setComponentStatus',
    path: (ids) => `/components/${ids.component}`,
    body: () => ({ status: 'degraded_performance' }),
  },
  {
    id: 'updateComponent',
    path: (ids) => `/components/${ids.component}`,
    body: (ids) => ({ name: 'CDN edge', groupId: ids.group }),
  },
  {
    id: 'createIncident',
    path: () => '/incidents',
    body: (ids) => ({
      title: 'CDN slow',
      impact: 'minor',
      message: 'Slow assets.',
      components: { [ids.component]: 'degraded_performance' },
    }),
    keep: (b, ids) => (ids.incident = b.incident.id),
  },
  { id: 'listIncidents', path: () => '/incidents?page=1&per_page=2' },
  { id: 'getIncident', path: (ids) => `/incidents/${ids.incident}` },
  {
    id: 'postIncidentUpdate',
    path: (ids) => `/incidents/${ids.incident}/updates`,
    body: (ids) => ({ status: 'resolved', message: 'Fast again.', components: { [ids.component]: 'operational' } }),
    keep: (b, ids) => (ids.update = b.update.id),
  },
  {
    id: 'correctIncidentUpdate',
    path: (ids) => `/incidents/${ids.incident}/updates/${ids.update}`,
    body: () => ({ message: 'Fast again everywhere.' }),
  },
  {
    id: 'publishIncident',
    prepare: async (ids) => {
      ids.draft = (
        await call('post', '/incidents', admin, { title: 'Draft', impact: 'minor', message: 'Checking.', draft: true })
      ).body.incident.id;
    },
    path: (ids) => `/incidents/${ids.draft}/publish`,
    body: () => ({ notify: false }),
  },
  {
    id: 'createTemplate',
    path: () => '/templates',
    body: () => ({ name: 'CDN degraded', title: 'Slow downloads', message: 'Downloads are slow.', impact: 'minor' }),
    keep: (b, ids) => (ids.template = b.template.id),
  },
  { id: 'listTemplates', path: () => '/templates' },
  { id: 'getTemplate', path: (ids) => `/templates/${ids.template}` },
  {
    id: 'updateTemplate',
    path: (ids) => `/templates/${ids.template}`,
    body: () => ({ name: 'CDN degraded', message: 'Downloads are slower than usual.' }),
  },
  {
    id: 'scheduleMaintenance',
    path: () => '/maintenance',
    body: (ids) => ({
      title: 'CDN upgrade',
      body: 'Brief cache misses.',
      scheduledFor: soon(24),
      scheduledUntil: soon(25),
      componentIds: [ids.component],
    }),
    keep: (b, ids) => (ids.maintenance = b.maintenance.id),
  },
  { id: 'listMaintenance', path: () => '/maintenance' },
  { id: 'getMaintenance', path: (ids) => `/maintenance/${ids.maintenance}` },
  {
    id: 'rescheduleMaintenance',
    path: (ids) => `/maintenance/${ids.maintenance}`,
    body: (ids) => ({
      title: 'CDN upgrade',
      body: 'Brief cache misses.',
      scheduledFor: soon(48),
      scheduledUntil: soon(49),
      componentIds: [ids.component],
    }),
  },
  {
    id: 'postMaintenanceUpdate',
    path: (ids) => `/maintenance/${ids.maintenance}/updates`,
    body: () => ({ status: 'cancelled', message: 'Not needed.' }),
  },
  {
    id: 'addWebhook',
    path: () => '/subscribers',
    body: () => ({ url: 'https://hooks.example.com/candor' }),
    keep: (b, ids) => (ids.subscriber = b.subscriber.id),
  },
  { id: 'listSubscribers', path: () => '/subscribers?kind=webhook' },
  { id: 'getSubscriber', path: (ids) => `/subscribers/${ids.subscriber}` },
  { id: 'exportSubscriber', path: (ids) => `/subscribers/${ids.subscriber}/export` },
  { id: 'unsubscribe', path: (ids) => `/subscribers/${ids.subscriber}` },
  { id: 'eraseSubscriber', path: (ids) => `/subscribers/${ids.subscriber}/erase` },
  {
    id: 'genericAlert',
    path: () => '/alerts/generic',
    body: (ids) => ({
      key: 'cdn-probe',
      status: 'firing',
      component: ids.component,
      state: 'partial_outage',
      title: 'CDN probe failing',
    }),
  },
  {
    id: 'alertmanagerWebhook',
    path: () => '/alerts/alertmanager',
    body: () => ({
      version: '4',
      groupKey: 'g',
      status: 'resolved',
      commonLabels: {},
      commonAnnotations: {},
      alerts: [{ status: 'resolved', labels: { alertname: 'X', service: 'nothing' }, annotations: {} }],
    }),
  },
  { id: 'getSettings', path: () => '/settings' },
  { id: 'updateSettings', path: () => '/settings', body: () => ({ name: 'Example status', brandColor: '#1f6feb' }) },
  { id: 'setLogo', path: () => '/settings/logo', body: () => ({ data: LOGO_SVG.toString('base64') }) },
  { id: 'setFavicon', path: () => '/settings/favicon', body: () => ({ data: TINY_PNG.toString('base64') }) },
  { id: 'removeLogo', path: () => '/settings/logo' },
  { id: 'removeFavicon', path: () => '/settings/favicon' },
  { id: 'getGlossary', path: () => '/settings/glossary' },
  {
    id: 'replaceGlossary',
    path: () => '/settings/glossary',
    body: () => ({ terms: [{ term: 'PgBouncer', customer: 'the connection layer' }], teams: ['SRE'] }),
  },
  { id: 'getAlertRoutes', path: () => '/settings/alert-routes' },
  {
    id: 'replaceAlertRoutes',
    path: () => '/settings/alert-routes',
    body: () => ({
      routes: [{ match: { service: 'api' }, component: 'API' }],
      severity: { label: 'severity', states: { critical: 'major_outage' }, default: 'partial_outage' },
      resolvedStatus: 'resolved',
      publish: true,
    }),
  },
  {
    id: 'createAudience',
    path: () => '/audiences',
    body: (ids) => ({
      name: 'Enterprise',
      members: ['ana@customer.example', '@partner.example'],
      ipAllowlist: ['203.0.113.0/24'],
      ssoRules: [{ claim: 'groups', value: 'status-readers' }],
      componentIds: [ids.component],
      groupIds: [ids.group],
    }),
    keep: (b, ids) => (ids.audience = b.audience.id),
  },
  { id: 'listAudiences', path: () => '/audiences' },
  { id: 'getAudience', path: (ids) => `/audiences/${ids.audience}` },
  {
    id: 'updateAudience',
    path: (ids) => `/audiences/${ids.audience}`,
    body: () => ({ description: 'Dedicated plan', componentIds: [], groupIds: [] }),
  },
  {
    id: 'setAudiencePassword',
    path: (ids) => `/audiences/${ids.audience}/password`,
    body: () => ({ password: 'correct horse battery' }),
  },
  { id: 'clearAudiencePassword', path: (ids) => `/audiences/${ids.audience}/password` },
  { id: 'deleteAudience', path: (ids) => `/audiences/${ids.audience}` },
  { id: 'deleteTemplate', path: (ids) => `/templates/${ids.template}` },
  { id: 'deleteComponent', path: (ids) => `/components/${ids.component}` },
  { id: 'deleteGroup', path: (ids) => `/groups/${ids.group}` },
];

const SHAPED = ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'const', 'enum', 'not'];

/**
 * Schemas that say nothing: `{}` (anything at all), an object with neither properties nor a typed
 * value for its keys, or one open to any extra field (`additionalProperties: {}` / `true`). Maps are
 * fine when their values are typed (Alertmanager's labels are string to string).
 */
function untypedSchemas(schema: any, at: string): string[] {
  if (typeof schema !== 'object' || schema === null) return [`${at}: ${JSON.stringify(schema)}`];
  const found: string[] = [];
  if (!SHAPED.some((k) => k in schema)) found.push(`${at}: ${JSON.stringify(schema)}`);
  const extra = schema.additionalProperties;
  if (extra === true || (typeof extra === 'object' && !SHAPED.some((k) => k in extra)))
    found.push(`${at}: open to any other field`);
  else if (
    schema.type === 'object' &&
    !Object.keys(schema.properties ?? {}).length &&
    extra === undefined &&
    !schema.patternProperties
  )
    found.push(`${at}: ${JSON.stringify(schema)}`);
  for (const [key, value] of Object.entries(schema.properties ?? {}))
    found.push(...untypedSchemas(value, `${at}.${key}`));
  for (const [key, value] of Object.entries(schema.patternProperties ?? {}))
    found.push(...untypedSchemas(value, `${at}[/${key}/]`));
  if (typeof extra === 'object' && SHAPED.some((k) => k in extra)) found.push(...untypedSchemas(extra, `${at}[*]`));
  if (schema.items) found.push(...untypedSchemas(schema.items, `${at}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'])
    (schema[key] ?? []).forEach((s: unknown, i: number) => found.push(...untypedSchemas(s, `${at}.${key}[${i}]`)));
  return found;
}

describe('OpenAPI document', () => {
  test('is served without a token as OpenAPI 3.1 and lists every operation once', async () => {
    const r = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(r.status).toBe(200);
    const doc = await r.json();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      ([path, ops]) => Object.entries(ops).map(([m, op]) => [op.operationId, `${m} ${path}`]),
    );
    expect(documented.map(([id]) => id).sort()).toEqual(OPERATIONS.map((o) => o.id).sort());
    expect(doc.paths['/incidents'].post.requestBody.content['application/json'].schema.properties.title).toBeDefined();
    expect(EXAMPLES.map((e) => e.id).sort()).toEqual(OPERATIONS.map((o) => o.id).sort());
    // the admin renders the same document
    const session = await adminSession(server.url, 'root@example.com', rootPassword);
    const page = (await session.get('/admin/api')).html;
    for (const op of OPERATIONS) expect(page).toContain(`id="${op.id}"`);
    expect(page).toContain('<code>POST /incidents/{id}/updates</code>');
  });

  test('an outside validator (swagger-parser) accepts the served document and resolves every reference', async () => {
    const served = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    // Shared shapes live in components/schemas and are referred to from there, never per schema.
    expect(JSON.stringify(served)).not.toContain('#/$defs/');
    expect(Object.keys(served.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'Component', 'Incident', 'Maintenance', 'Subscriber']),
    );
    await expect(SwaggerParser.validate(structuredClone(served))).resolves.toBeTruthy();
    const dereferenced = await SwaggerParser.dereference(structuredClone(served));
    const incident = (dereferenced.paths as any)['/incidents/{id}'].get.responses['200'].content['application/json']
      .schema;
    expect(incident.properties.incident.properties.updates).toBeTruthy();
  });

  test('Redocly CLI lints it clean under its recommended ruleset: no errors, no warnings', async () => {
    const root = resolve(import.meta.dirname, '..');
    const dir = mkdtempSync(join(tmpdir(), 'candor-redocly-'));
    const served = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    expect(served.servers).toEqual([{ url: `${PUBLIC_URL}/api/v1` }]);
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(served));
    const lint = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/@redocly/cli/bin/cli.js'),
        'lint',
        join(dir, 'openapi.json'),
        '--config',
        join(root, 'redocly.yaml'),
        '--format=json',
      ],
      // Offline: no usage data and no update check (the config says so too).
      {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    expect(lint.status, lint.stderr).toBe(0);
    const report = JSON.parse(lint.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  test('every field has a real schema: none empty, no object open to anything', async () => {
    // The walker itself must catch what it looks for.
    expect(untypedSchemas({ type: 'object', properties: { a: {}, b: { type: 'object' } } }, 'probe')).toEqual([
      'probe.a: {}',
      'probe.b: {"type":"object"}',
    ]);
    expect(untypedSchemas({ type: 'object', properties: {} }, 'probe')).toEqual([
      'probe: {"type":"object","properties":{}}',
    ]);
    expect(
      untypedSchemas({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: {} }, 'probe'),
    ).toEqual(['probe: open to any other field']);
    const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    const found: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas))
      found.push(...untypedSchemas(schema, `components.schemas.${name}`));
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(methods)) {
        const at = `${method} ${path}`;
        for (const p of op.parameters ?? []) found.push(...untypedSchemas(p.schema, `${at} ?${p.name}`));
        for (const c of Object.values<{ schema: unknown }>(op.requestBody?.content ?? {}))
          found.push(...untypedSchemas(c.schema, `${at} body`));
        for (const [status, answer] of Object.entries(op.responses as Record<string, { content?: object }>))
          for (const c of Object.values(answer.content ?? {}) as { schema: unknown }[])
            found.push(...untypedSchemas(c.schema, `${at} ${status}`));
      }
    }
    expect(found).toEqual([]);
  });

  test('openapi-typescript generates a client from it that a program compiles against with tsc', async () => {
    const root = resolve(import.meta.dirname, '..');
    const dir = mkdtempSync(join(tmpdir(), 'candor-openapi-'));
    writeFileSync(join(dir, 'openapi.json'), await (await fetch(`${server.url}/api/v1/openapi.json`)).text());
    const generate = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/openapi-typescript/bin/cli.js'),
        join(dir, 'openapi.json'),
        '-o',
        join(dir, 'api.d.ts'),
      ],
      { encoding: 'utf8' },
    );
    expect(generate.status, generate.stderr).toBe(0);
    // A script a customer might write: open an incident, read the statuses of its updates.
    writeFileSync(
      join(dir, 'client.ts'),
      [
        "import type { components, paths } from './api.d.ts';",
        "type Incident = components['schemas']['Incident'];",
        "type NewIncident = paths['/incidents']['post']['requestBody']['content']['application/json'];",
        "export const body: NewIncident = { title: 'API errors', impact: 'major', message: 'Investigating.', components: { '1': 'partial_outage' } };",
        'export const statuses = (i: Incident): string[] => i.updates.map((u) => u.status);',
        '// @ts-expect-error an impact the API does not know is a compile error',
        "export const wrong: NewIncident = { title: 'x', impact: 'apocalyptic', message: 'm' };",
      ].join('\n'),
    );
    const compile = compileStrict(join(dir, 'client.ts'));
    expect(compile.status, compile.output).toBe(0);
  });

  test('every route file under /api/v1 is documented, method by method', () => {
    const root = join(import.meta.dirname, '../src/pages/api/v1');
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
    const documented = new Set(OPERATIONS.map((o) => `${o.method} ${o.path}`));
    for (const file of walk(root)) {
      const route =
        '/' +
        relative(root, file)
          .replace(/\.ts$/, '')
          .replace(/\/index$/, '')
          .replace(/\[(\w+)\]/g, '{$1}');
      if (route === '/openapi.json') continue;
      for (const [, method] of readFileSync(file, 'utf8').matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) {
        expect(
          documented.has(`${method.toLowerCase()} ${route}`),
          `${method} ${route} is not in the OpenAPI document`,
        ).toBe(true);
      }
    }
  });

  test('every operation answers with its documented status and shape', async () => {
    const ids: Record<string, number> = {};
    for (const example of EXAMPLES) {
      const op = OPERATIONS.find((o) => o.id === example.id)!;
      await example.prepare?.(ids);
      const r = await call(op.method, example.path(ids), admin, example.body?.(ids));
      expect(r.status, `${op.id}: ${JSON.stringify(r.body)}`).toBe(op.success.status);
      if (op.success.schema) {
        const parsed = op.success.schema.safeParse(r.body);
        expect(parsed.success, `${op.id}: ${parsed.error?.message}`).toBe(true);
      } else expect(r.body).toBeNull();
      example.keep?.(r.body, ids);
    }
  });

  test('errors share one shape; pagination and token scopes hold', async () => {
    const failures = [
      await call('post', '/incidents', admin, { impact: 'huge' }),
      await call('get', '/incidents/999999', admin),
      await call('get', '/incidents?per_page=500', admin),
      await call('get', '/components', null),
      await call('post', '/incidents', reader, { title: 'x', impact: 'minor', message: 'y' }),
      await call('post', '/components', support, { name: 'Not for support' }),
    ];
    expect(failures.map((f) => f.status)).toEqual([400, 404, 400, 401, 403, 403]);
    for (const f of failures) expect(ErrorBody.safeParse(f.body).success, JSON.stringify(f.body)).toBe(true);
    expect(failures[0].body.error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^title: /),
        expect.stringMatching(/^impact: Impact must be one of none, minor, major, critical/),
      ]),
    );
    // a read token reads; a support token does support work
    expect((await call('get', '/incidents', reader)).status).toBe(200);
    expect(
      (await call('post', '/incidents', support, { title: 'Desk work', impact: 'minor', message: 'Looking.' })).status,
    ).toBe(201);
    const page1 = (await call('get', '/incidents?per_page=2', admin)).body;
    const page2 = (await call('get', `/incidents?per_page=2&page=${page1.pagination.next_page}`, admin)).body;
    expect(page1.pagination).toMatchObject({ page: 1, per_page: 2 });
    expect(page1.pagination.total).toBeGreaterThan(2);
    expect(page2.incidents.map((i: { id: number }) => i.id)).not.toContain(page1.incidents[0].id);
  });
});
