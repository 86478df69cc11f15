// Bad bodies are 4xx, never 5xx, and nothing is partially written. Against the real server, every
// operation in the OpenAPI document and every page that reads a form is sent wrong content types,
// broken multipart, invalid JSON and UTF-8, control characters and very long strings in each
// field, wrong types and ids that are not written canonically. No answer may be 5xx, every 4xx
// says why, and afterwards every table holds as many rows as before. The cases come from a fixed
// seed, so each run sends the same requests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { TINY_PNG } from './support/images.ts';
import {
  changedCounts,
  CONTROL_CHARACTERS,
  dbValue,
  Fuzzer,
  jsonType,
  leaves,
  LONG,
  multipart,
  NON_ID_NUMBERS,
  nonCanonicalIds,
  schemaTypes,
  seededRandom,
  tableCounts,
  urlEncoded,
  withKey,
  withValue,
  WRONG_TYPES,
  type FieldPath,
  type FuzzRequest,
} from './support/fuzz.ts';
import { parseForms } from './support/parsers.ts';
import { viewerCookie } from './support/audience-content.ts';
import { startServer, type TestServer } from './support/server.ts';
import { addConfirmedSubscribers } from './support/subscribers.ts';

// Failed logins are counted on purpose (that is what slows password guessing), so a refused login
// adds to rate_limits. Every other table must keep its row count.
const RECORDS_REFUSALS = ['rate_limits'];

const random = seededRandom(0xc0ffee);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];

let server: TestServer;
let token: string;
let session: Awaited<ReturnType<typeof adminSession>>;
const ids: Record<string, number> = {};
let manageToken: string;
/** The Cookie header of an audience viewer (for /my). */
let viewerSession: string;

const soon = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

beforeAll(async () => {
  // The outbox worker and the maintenance clock write on their own schedule; with them off, any
  // change in a row count was made by a request.
  server = await startServer({ env: { CANDOR_WORKER: '0' } });
  token = createUserWithToken(server.dbFile, 'admin', 'fuzz-api@example.com', 'Fuzz API').token;
  const admin = createUserWithToken(server.dbFile, 'admin', 'fuzz-admin@example.com', 'Fuzz Admin');
  createUserWithToken(server.dbFile, 'support', 'fuzz-support@example.com', 'Fuzz Support');
  session = await adminSession(server.url, admin.email, admin.password);

  // Real records for every route that names one: the demo seed's, and a few made here.
  const first = async (path: string, key: string) =>
    (await api(server.url, token, 'GET', `/api/v1${path}`)).body[key][0].id as number;
  ids.component = await first('/components', 'components');
  ids.group = await first('/groups', 'groups');
  ids.incident = await first('/incidents', 'incidents');
  ids.update = (await api(server.url, token, 'GET', `/api/v1/incidents/${ids.incident}`)).body.incident.updates[0].id;
  const made = async (path: string, key: string, body: unknown) => {
    const r = await api(server.url, token, 'POST', `/api/v1${path}`, body);
    if (r.status !== 201) throw new Error(`fixture ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body[key].id as number;
  };
  ids.draft = await made('/incidents', 'incident', {
    title: 'Fuzz draft',
    impact: 'minor',
    message: 'Checking.',
    draft: true,
  });
  ids.maintenance = await made('/maintenance', 'maintenance', {
    title: 'Fuzz window',
    body: 'Planned work.',
    scheduledFor: soon(72),
    scheduledUntil: soon(73),
    notify: false,
  });
  ids.template = await made('/templates', 'template', { name: 'Fuzz template', message: 'Template text.' });
  ids.audience = await made('/audiences', 'audience', { name: 'Fuzz audience', members: ['fuzz@example.com'] });
  viewerSession = await viewerCookie(server.dbFile, ids.audience);
  ids.subscriber = await made('/subscribers', 'subscriber', { url: 'https://hooks.example.com/fuzz', verify: true });
  await addConfirmedSubscribers(server.dbFile, 1, 'fuzz.example');
  manageToken = await dbValue(
    server.dbFile,
    "select manage_token from subscribers where address = 'user0@fuzz.example'",
  );
  ids.delivery = Number(await dbValue(server.dbFile, 'select id from deliveries order by id limit 1'));
  ids.review = Number(await dbValue(server.dbFile, 'select id from reviews order by id limit 1'));
  ids.user = Number(await dbValue(server.dbFile, "select id from users where email = 'fuzz-support@example.com'"));
});
afterAll(async () => {
  await server?.stop();
});

/** What a run must end with: nothing >= 500, no silent 4xx, the expected answers, no rows added or removed. */
async function expectRefusedCleanly(fuzzer: Fuzzer, before: Record<string, number>) {
  const changed = changedCounts(before, await tableCounts(server.dbFile), RECORDS_REFUSALS);
  const report = `${fuzzer.report()}${changed.length ? `\nrow counts changed:\n${changed.join('\n')}` : ''}`;
  console.log(report.split('\n')[0]);
  expect(
    {
      serverErrors: fuzzer.serverErrors,
      silentRefusals: fuzzer.silentRefusals,
      unexpected: fuzzer.unexpected,
      changed,
    },
    report,
  ).toEqual({ serverErrors: [], silentRefusals: [], unexpected: [], changed: [] });
}

// ---------------------------------------------------------------- the automation API

/** A valid body for each operation, so that each case below has exactly one thing wrong. */
const API_BODIES: Record<string, () => Record<string, unknown>> = {
  updateSettings: () => ({
    name: 'Fuzz status',
    description: 'Made by the fuzz test.',
    brandColor: '#0550ae',
    headerLinks: [{ label: 'Support', url: 'https://example.com/support' }],
    footerMarkdown: 'Run by **Fuzz**.',
    timeZone: 'Europe/Paris',
    defaultLocale: 'de',
    supportContact: 'help@example.com',
    showPoweredBy: false,
  }),
  setLogo: () => ({ data: TINY_PNG.toString('base64') }),
  replaceGlossary: () => ({ terms: [{ term: 'Fuzzterm', customer: 'a fuzzed thing' }], teams: ['Fuzz team'] }),
  replaceAlertRoutes: () => ({
    routes: [{ match: { service: 'fuzz' }, component: ids.component }],
    severity: { label: 'severity', states: { critical: 'major_outage' }, default: 'partial_outage' },
    resolvedStatus: 'resolved',
    publish: false,
  }),
  setFavicon: () => ({ data: TINY_PNG.toString('base64') }),
  createComponent: () => ({
    name: 'Fuzz component',
    description: 'Made by the fuzz test.',
    position: 1,
    groupId: ids.group,
    showUptime: true,
    slaTarget: 99.9,
  }),
  setComponentStatus: () => ({ status: 'degraded_performance' }),
  createAudience: () => ({
    name: 'Another fuzz audience',
    description: 'Made by the fuzz test.',
    members: ['ana@fuzz.example', '@partner.fuzz.example'],
    ipAllowlist: ['203.0.113.0/24'],
    ssoRules: [{ claim: 'groups', value: 'fuzzers' }],
    componentIds: [ids.component],
    groupIds: [ids.group],
  }),
  updateAudience: () => ({
    name: 'Fuzz audience',
    description: 'Changed by the fuzz test.',
    members: ['fuzz@example.com', '@fuzz.example'],
    ipAllowlist: ['198.51.100.0/24', '2001:db8::/32'],
    ssoRules: [{ claim: 'email_domain', value: 'fuzz.example' }],
    componentIds: [ids.component],
    groupIds: [ids.group],
  }),
  setAudiencePassword: () => ({ password: 'a long fuzz password' }),
  updateComponent: () => ({
    name: 'Fuzz component',
    description: 'Made by the fuzz test.',
    position: 1,
    groupId: ids.group,
    showUptime: true,
    slaTarget: 99.9,
  }),
  createGroup: () => ({ name: 'Fuzz group', description: 'Made by the fuzz test.', position: 2 }),
  updateGroup: () => ({ name: 'Fuzz group', description: 'Made by the fuzz test.', position: 2 }),
  createIncident: () => ({
    title: 'Fuzz incident',
    impact: 'minor',
    status: 'investigating',
    message: 'Something is slow.',
    components: { [ids.component]: 'degraded_performance' },
    startedAt: soon(-1),
    notify: false,
    draft: false,
  }),
  postIncidentUpdate: () => ({
    status: 'monitoring',
    message: 'A fix is out.',
    components: { [ids.component]: 'operational' },
    impact: 'minor',
    displayAt: soon(0),
    notify: false,
  }),
  publishIncident: () => ({ notify: false }),
  correctIncidentUpdate: () => ({ message: 'Corrected by the fuzz test.', notify: false }),
  scheduleMaintenance: () => ({
    title: 'Fuzz maintenance',
    body: 'Planned work.',
    scheduledFor: soon(48),
    scheduledUntil: soon(49),
    componentIds: [ids.component],
    autoStart: true,
    autoComplete: true,
    remindMinutes: 30,
    notify: false,
  }),
  rescheduleMaintenance: () => ({
    title: 'Fuzz maintenance',
    body: 'Planned work.',
    scheduledFor: soon(96),
    scheduledUntil: soon(97),
    componentIds: [ids.component],
    autoStart: true,
    autoComplete: true,
    remindMinutes: 30,
    notify: false,
  }),
  postMaintenanceUpdate: () => ({ status: 'in_progress', message: 'Started.', notify: false }),
  createTemplate: () => ({
    name: 'Another fuzz template',
    title: 'Slow',
    status: 'investigating',
    impact: 'minor',
    message: 'Text.',
    components: { [ids.component]: 'partial_outage' },
  }),
  updateTemplate: () => ({
    name: 'Fuzz template',
    title: 'Slow',
    status: 'identified',
    impact: 'major',
    message: 'Text.',
    components: { [ids.component]: 'partial_outage' },
  }),
  addWebhook: () => ({ url: 'https://hooks.example.com/another', components: [ids.component], verify: false }),
  alertmanagerWebhook: () => ({
    version: '4',
    groupKey: 'fuzz-group',
    status: 'firing',
    commonLabels: { service: 'api' },
    commonAnnotations: { summary: 'Fuzz alert' },
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'FuzzAlert', severity: 'warning' },
        annotations: { summary: 'Fuzz alert', description: 'From the fuzz test.' },
      },
    ],
  }),
  genericAlert: () => ({
    key: 'fuzz-key',
    status: 'firing',
    component: ids.component,
    state: 'degraded_performance',
    title: 'Fuzz alert',
    message: 'From the fuzz test.',
  }),
};

/** The record each `{id}` path names, by its first segment. */
const PATH_IDS: Record<string, () => number> = {
  components: () => ids.component,
  groups: () => ids.group,
  incidents: () => ids.incident,
  maintenance: () => ids.maintenance,
  templates: () => ids.template,
  subscribers: () => ids.subscriber,
  audiences: () => ids.audience,
};

/** Body fields that hold record ids (`components` holds ids as keys or list items). */
const ID_FIELDS = new Set([
  'groupId',
  'componentIds',
  'incidentIds',
  'ownerId',
  'components',
  'groupIds',
  'audienceIds',
]);

interface Operation {
  id: string;
  method: string;
  path: string;
  schema?: { properties?: Record<string, Record<string, unknown>> };
  list: boolean;
}

async function operations(): Promise<Operation[]> {
  const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      id: op.operationId,
      method: method.toUpperCase(),
      path,
      schema: op.requestBody?.content['application/json'].schema,
      list: (op.parameters ?? []).some((p: { name: string }) => p.name === 'page'),
    })),
  );
}

const realPath = (op: Operation, id?: string) =>
  `/api/v1${op.path.includes('{id}') ? op.path.replace('{id}', id ?? String(PATH_IDS[op.path.split('/')[1]]())) : op.path}`.replace(
    '{updateId}',
    String(ids.update),
  );
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const JSON_TYPE = { 'content-type': 'application/json' };

/** Whole-body cases for a route that reads a JSON object (`skip` names cases that do not apply). */
function badJsonBodies(
  label: string,
  method: string,
  path: string,
  body: Record<string, unknown>,
  skip: string[] = [],
): FuzzRequest[] {
  const firstString = Object.keys(body).find((k) => typeof body[k] === 'string') ?? 'name';
  const raw = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  const boundary = 'fuzzboundary';
  const cases: [string, Record<string, string>, Buffer, number][] = [
    ['invalid JSON', JSON_TYPE, Buffer.from(`{"${firstString}": `), 400],
    ['empty body', JSON_TYPE, Buffer.alloc(0), 400],
    ['a JSON array', JSON_TYPE, Buffer.from('[1, 2]'), 400],
    ['JSON null', JSON_TYPE, Buffer.from('null'), 400],
    ['a JSON string', JSON_TYPE, Buffer.from('"text"'), 400],
    ['invalid UTF-8 byte', JSON_TYPE, raw(`{"${firstString}": "ab`, [0xff], 'cd"}'), 400],
    ['UTF-8 encoded surrogate', JSON_TYPE, raw(`{"${firstString}": "ab`, [0xed, 0xa0, 0x80], 'cd"}'), 400],
    ['overlong UTF-8 NUL', JSON_TYPE, raw(`{"${firstString}": "ab`, [0xc0, 0x80], 'cd"}'), 400],
    ['deeply nested arrays', JSON_TYPE, Buffer.from(`{"${firstString}": ${'['.repeat(5000)}${']'.repeat(5000)}}`), 400],
    ['text/plain', { 'content-type': 'text/plain' }, json(body), 415],
    [
      'application/xml',
      { 'content-type': 'application/xml' },
      Buffer.from('<incident><title>x</title></incident>'),
      415,
    ],
    [
      'multipart form',
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
      multipart(
        Object.entries(body).map(([k, v]) => [k, String(v)]),
        boundary,
      ),
      415,
    ],
    [
      'JSON in another charset',
      { 'content-type': 'application/json; charset=utf-16le' },
      Buffer.from(JSON.stringify(body), 'utf16le'),
      415,
    ],
    [
      'a form body',
      { 'content-type': 'application/x-www-form-urlencoded' },
      urlEncoded(Object.entries(body).map(([k, v]) => [k, String(v)])),
      400,
    ],
  ];
  return cases
    .filter(([what]) => !skip.includes(what))
    .map(([what, headers, bytes, status]) => ({
      label: `${label}: ${what}`,
      method,
      path,
      headers,
      body: bytes,
      expect: status,
    }));
}

/** One-fault bodies: each field (and each id in it) made wrong in every way, the rest valid. */
function badJsonFields(op: Operation, base: Record<string, unknown>): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const send = (what: string, body: unknown, status: number | '4xx' = '4xx') =>
    out.push({
      label: `${op.id}: ${what}`,
      method: op.method,
      path: realPath(op),
      headers: JSON_TYPE,
      body: json(body),
      expect: status,
    });
  for (const { path, value } of leaves(base)) {
    const name = path.join('.');
    const isId = path.some((p) => ID_FIELDS.has(String(p))) && typeof value === 'number';
    if (typeof value === 'string') {
      send(`NUL in ${name}`, withValue(base, path, `${value}\u0000tail`));
      const control = pick(CONTROL_CHARACTERS);
      send(
        `U+${control.charCodeAt(0).toString(16).padStart(4, '0')} in ${name}`,
        withValue(base, path, `${value.slice(0, 2)}${control}${value.slice(2)}`),
      );
      send(`lone surrogate in ${name}`, withValue(base, path, `${value}\ud800`));
      send(`very long ${name}`, withValue(base, path, value + LONG));
    }
    const accepted =
      path.length === 1 ? schemaTypes(op.schema?.properties?.[String(path[0])]) : new Set([jsonType(value)]);
    if (accepted) {
      for (const [type, wrong] of Object.entries(WRONG_TYPES))
        if (!accepted.has(type)) send(`${type} for ${name}`, withValue(base, path, wrong));
    }
    if (isId) {
      for (const wrong of nonCanonicalIds(value))
        send(`id ${JSON.stringify(wrong)} in ${name}`, withValue(base, path, wrong), 400);
      for (const wrong of NON_ID_NUMBERS) send(`id ${wrong} in ${name}`, withValue(base, path, wrong), 400);
    }
  }
  // Ids as keys: {"components": {"03": "major_outage"}}.
  const map = base.components;
  if (map && typeof map === 'object' && !Array.isArray(map)) {
    for (const key of Object.keys(map)) {
      for (const wrong of nonCanonicalIds(Number(key)))
        send(
          `id key ${JSON.stringify(wrong)} in components`,
          withKey(base, ['components'] as FieldPath, key, wrong),
          400,
        );
    }
  }
  return out;
}

describe('the automation API', () => {
  test('every operation refuses bad bodies, types and ids with a 4xx, and writes nothing', async () => {
    const ops = await operations();
    expect(
      ops.filter((op) => op.schema && !API_BODIES[op.id]).map((op) => op.id),
      'operations with a body but no valid example here',
    ).toEqual([]);

    const requests: FuzzRequest[] = [];
    for (const op of ops) {
      if (op.schema) {
        const base = API_BODIES[op.id]();
        requests.push(...badJsonBodies(op.id, op.method, realPath(op), base), ...badJsonFields(op, base));
      }
      // An id that is not written canonically names nothing.
      if (op.path.includes('{id}')) {
        const body = op.schema ? json(API_BODIES[op.id]()) : undefined;
        for (const wrong of nonCanonicalIds(PATH_IDS[op.path.split('/')[1]]())) {
          requests.push({
            label: `${op.id}: path id ${JSON.stringify(wrong)}`,
            method: op.method,
            path: realPath(op, encodeURIComponent(wrong)),
            headers: JSON_TYPE,
            body,
            expect: 404,
          });
        }
      }
      if (op.list) {
        for (const param of ['page', 'per_page']) {
          for (const wrong of [...nonCanonicalIds(1), '', 'abc', ...(param === 'per_page' ? ['101'] : [])]) {
            requests.push({
              label: `${op.id}: ${param}=${JSON.stringify(wrong)}`,
              method: 'GET',
              path: `${realPath(op)}?${param}=${encodeURIComponent(wrong)}`,
              expect: 400,
            });
          }
        }
      }
    }
    // The subscriber search is checked like a field.
    for (const [what, q] of [
      ['very long q', 'x'.repeat(5000)],
      ['NUL in q', 'a\u0000b'],
    ]) {
      requests.push({
        label: `listSubscribers: ${what}`,
        method: 'GET',
        path: `/api/v1/subscribers?q=${encodeURIComponent(q)}`,
        expect: 400,
      });
    }
    // A body over the staff limit (1 MiB) is refused before it is read.
    for (const op of ops.filter((o) => o.schema)) {
      const base = API_BODIES[op.id]();
      const padded = { ...base, padding: 'x'.repeat(1024 * 1024) };
      requests.push({
        label: `${op.id}: body over the limit`,
        method: op.method,
        path: realPath(op),
        headers: JSON_TYPE,
        body: json(padded),
        expect: 413,
      });
    }

    const fuzzer = new Fuzzer(server.url, { authorization: `Bearer ${token}` });
    const before = await tableCounts(server.dbFile);
    await fuzzer.run(requests);
    await expectRefusedCleanly(fuzzer, before);
  }, 90_000);

  test('a NUL byte in a title is refused with a message naming the field, not stored cut short', async () => {
    const r = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Database\u0000 down',
      impact: 'minor',
      message: 'Checking.',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([expect.stringMatching(/^title: .*control character.*U\+0000/)]);
  });

  test("the README's curl -d (a form content type carrying JSON) still works", async () => {
    const r = await fetch(`${server.url}/api/v1/groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ name: 'Sent by curl -d' }),
    });
    expect(r.status).toBe(201);
  });
});

// ---------------------------------------------------------------- form pages

interface FormRoute {
  /** The page file under src/pages. */
  page: string;
  path: () => string;
  /** Posted without the admin session (the page works without one). */
  anonymous?: boolean;
  /** Posted as a signed-in audience viewer instead of staff. */
  viewer?: boolean;
  /** The fields to send when the page shows no form (its link is not valid, for example). */
  fields?: [string, string][];
}

const FORM_ROUTES: FormRoute[] = [
  { page: 'subscribe/index.astro', path: () => '/subscribe', anonymous: true },
  { page: 'access/index.astro', path: () => '/access', anonymous: true },
  { page: 'access/password.astro', path: () => '/access/password', anonymous: true },
  { page: 'my.astro', path: () => '/my', viewer: true },
  { page: 'subscribe/chat.astro', path: () => '/subscribe/chat', anonymous: true },
  { page: 'subscription/[token]/index.astro', path: () => `/subscription/${manageToken}`, anonymous: true },
  { page: 'admin/login.astro', path: () => '/admin/login', anonymous: true },
  {
    page: 'admin/setup.astro',
    path: () => `/admin/setup?token=${new URL(server.setupLink!).searchParams.get('token')}`,
    anonymous: true,
    fields: [
      ['email', 'first@example.com'],
      ['name', 'First Admin'],
      ['password', 'a long enough password'],
    ],
  },
  {
    page: 'admin/password.astro',
    path: () => '/admin/password?token=not-a-link',
    anonymous: true,
    fields: [['password', 'a long enough password']],
  },
  { page: 'admin/account.astro', path: () => '/admin/account' },
  { page: 'admin/components.astro', path: () => '/admin/components' },
  { page: 'admin/audiences/index.astro', path: () => '/admin/audiences' },
  { page: 'admin/audiences/[id].astro', path: () => `/admin/audiences/${ids.audience}` },
  { page: 'admin/incidents/new.astro', path: () => '/admin/incidents/new' },
  { page: 'admin/incidents/[id].astro', path: () => `/admin/incidents/${ids.incident}` },
  { page: 'admin/maintenance/index.astro', path: () => '/admin/maintenance' },
  { page: 'admin/maintenance/[id].astro', path: () => `/admin/maintenance/${ids.maintenance}` },
  // The re-send button shows only while something failed.
  { page: 'admin/outbox/index.astro', path: () => '/admin/outbox', fields: [['action', 'resend-failed']] },
  { page: 'admin/reviews/index.astro', path: () => '/admin/reviews' },
  { page: 'admin/reviews/[id]/index.astro', path: () => `/admin/reviews/${ids.review}` },
  { page: 'admin/reviews/[id]/rca.astro', path: () => `/admin/reviews/${ids.review}/rca` },
  { page: 'admin/subscribers/index.astro', path: () => '/admin/subscribers' },
  {
    page: 'admin/subscribers/[id].astro',
    path: () => `/admin/subscribers/${ids.subscriber}`,
    fields: [['action', 'verify']],
  },
  { page: 'admin/templates/index.astro', path: () => '/admin/templates' },
  { page: 'admin/settings/index.astro', path: () => '/admin/settings' },
  { page: 'admin/settings/glossary.astro', path: () => '/admin/settings/glossary' },
  { page: 'admin/settings/alerts.astro', path: () => '/admin/settings/alerts' },
  { page: 'admin/users.astro', path: () => '/admin/users' },
  { page: 'admin/import.astro', path: () => '/admin/import' },
];

/** Page files that read a posted form. */
function formPages(): string[] {
  const root = join(import.meta.dirname, '../src/pages');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
  return walk(root)
    .filter((f) => /\.formData\(\)|readForm\(/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f))
    .sort();
}

/** Values that make an empty field plausible, so most forms are valid but for the one fault. */
const FILL: Record<string, string> = {
  email: 'fuzz@example.com',
  url: 'https://hooks.example.com/fuzz',
  'datetime-local': '2031-01-01T10:00',
  date: '2031-01-01',
  number: '1',
  password: 'a long enough password',
  text: 'Fuzz text',
  textarea: 'Fuzz text',
};

/** Form fields whose values are record ids. */
const ID_FORM_FIELDS = new Set([
  'id',
  'childId',
  'ownerId',
  'groupId',
  'componentIds',
  'incidentIds',
  'components',
  'updateId',
  'groupIds',
  'audienceIds',
]);

interface FormShape {
  fields: [string, string][];
  /** Fields a person types or picks from a list. Checkboxes and radios are left alone: a page reads any value but theirs as "off", a valid choice. */
  typed: string[];
  /** Id checkboxes and their value, e.g. componentIds=3. */
  idChoices: [string, string][];
}

function cookieFor(route: FormRoute): Record<string, string> {
  if (route.anonymous) return {};
  return { cookie: route.viewer ? viewerSession : session.cookie };
}

/** The distinct forms a page posts to itself, filled in. */
async function formShapes(route: FormRoute): Promise<FormShape[]> {
  const url = new URL(route.path(), server.url);
  const r = await fetch(url, { headers: cookieFor(route), redirect: 'manual' });
  const shapes = new Map<string, FormShape>();
  for (const form of parseForms(await r.text())) {
    if (form.method !== 'post' || new URL(form.action ?? url.href, url).pathname !== url.pathname) continue;
    for (const button of form.buttons.length ? form.buttons : [null]) {
      const fields: [string, string][] = form.fields
        .filter((f) => (f.type === 'checkbox' || f.type === 'radio' ? f.checked : true))
        .map((f) => [
          f.name,
          f.value !== '' || f.type === 'hidden'
            ? f.value
            : f.type === 'select'
              ? (f.options?.find((o) => o !== '') ?? '')
              : (FILL[f.type] ?? ''),
        ]);
      if (button) fields.push([button.name, button.value]);
      const typed = [
        ...new Set(form.fields.filter((f) => f.type !== 'checkbox' && f.type !== 'radio').map((f) => f.name)),
      ];
      const idChoices = form.fields
        .filter((f) => f.type === 'checkbox' && ID_FORM_FIELDS.has(f.name) && /^\d+$/.test(f.value))
        .map((f) => [f.name, f.value] as [string, string]);
      const key = `${fields.map(([k]) => k).join(',')}|${fields.find(([k]) => k === 'action')?.[1] ?? ''}`;
      if (!shapes.has(key)) shapes.set(key, { fields, typed, idChoices: idChoices.slice(0, 1) });
    }
  }
  if (shapes.size === 0 && route.fields)
    shapes.set('fallback', { fields: route.fields, typed: route.fields.map(([k]) => k), idChoices: [] });
  return [...shapes.values()];
}

const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

/** Whole-body cases for a page that reads a form. */
function badFormBodies(path: string, shape: FormShape | undefined): FuzzRequest[] {
  const fields = shape?.fields ?? [];
  const boundary = 'fuzzboundary';
  const MULTIPART = { 'content-type': `multipart/form-data; boundary=${boundary}` };
  const whole = multipart(fields, boundary);
  const [firstName = 'field'] = fields.map(([k]) => k);
  const typed = shape?.typed[0];
  const cases: [string, Record<string, string>, Buffer, number | '4xx'][] = [
    ['text/plain', { 'content-type': 'text/plain' }, urlEncoded(fields), 415],
    ['a JSON body', JSON_TYPE, json(Object.fromEntries(fields)), 415],
    ['application/xml', { 'content-type': 'application/xml' }, Buffer.from('<form><field>x</field></form>'), 415],
    ['no content type', {}, urlEncoded(fields), 415],
    ['multipart without a boundary', { 'content-type': 'multipart/form-data' }, whole, 400],
    ['multipart with another boundary', { 'content-type': 'multipart/form-data; boundary=somethingelse' }, whole, 400],
    ['truncated multipart', MULTIPART, whole.subarray(0, Math.floor(whole.length / 2)), 400],
    [
      'multipart with invalid UTF-8',
      MULTIPART,
      multipart([...fields, [firstName, Buffer.from([0x61, 0xff, 0x62])]], boundary),
      400,
    ],
    [
      'invalid UTF-8 byte',
      FORM_TYPE,
      Buffer.concat([urlEncoded(fields), Buffer.from(`&${firstName}=a`), Buffer.from([0xff])]),
      400,
    ],
    [
      'percent-encoded invalid UTF-8',
      FORM_TYPE,
      Buffer.concat([urlEncoded(fields.filter(([k]) => k !== firstName)), Buffer.from(`&${firstName}=a%C3%28b`)]),
      400,
    ],
  ];
  // Multipart is read like any form: a NUL in a typed field is refused by the domain's rule.
  if (typed)
    cases.push([
      'multipart with a NUL',
      MULTIPART,
      multipart([...fields.filter(([k]) => k !== typed), [typed, 'a\u0000b']], boundary),
      '4xx',
    ]);
  return cases.map(([what, headers, body, status]) => ({
    label: what,
    method: 'POST',
    path,
    headers,
    body,
    expect: status,
  }));
}

/** One-fault forms: each typed field made wrong in every way, the rest as the page filled it. */
function badFormFields(path: string, shape: FormShape): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const action = shape.fields.find(([k]) => k === 'action')?.[1];
  const send = (what: string, body: Buffer, status: number | '4xx' = '4xx') =>
    out.push({
      label: `${action ? `${action}: ` : ''}${what}`,
      method: 'POST',
      path,
      headers: FORM_TYPE,
      body,
      expect: status,
    });
  const replaced = (name: string, value: string) =>
    shape.fields.map(([k, v]): [string, string] => [k, k === name ? value : v]);
  for (const name of shape.typed) {
    const value = shape.fields.find(([k]) => k === name)?.[1] ?? '';
    send(`NUL in ${name}`, urlEncoded(replaced(name, `${value}\u0000tail`)));
    const control = pick(CONTROL_CHARACTERS);
    send(
      `U+${control.charCodeAt(0).toString(16).padStart(4, '0')} in ${name}`,
      urlEncoded(replaced(name, `${value.slice(0, 2)}${control}${value.slice(2)}`)),
    );
    send(`very long ${name}`, urlEncoded(replaced(name, value + LONG)));
    send(
      `invalid UTF-8 in ${name}`,
      Buffer.concat([urlEncoded(shape.fields.filter(([k]) => k !== name)), Buffer.from(`&${name}=%ED%A0%80`)]),
      400,
    );
    if (ID_FORM_FIELDS.has(name) && /^\d+$/.test(value)) {
      for (const wrong of nonCanonicalIds(Number(value)))
        send(`id ${JSON.stringify(wrong)} in ${name}`, urlEncoded(replaced(name, wrong)), 400);
    }
  }
  // The subscription forms read their component boxes only when "some" is chosen.
  const choosing = shape.fields.map(([k, v]): [string, string] => [k, k === 'scope' ? 'some' : v]);
  for (const [name, value] of shape.idChoices) {
    for (const wrong of nonCanonicalIds(Number(value)))
      send(`id ${JSON.stringify(wrong)} in ${name}`, urlEncoded([...choosing, [name, wrong]]), 400);
  }
  return out;
}

describe('form pages', () => {
  test('every page that reads a form refuses bad bodies and fields with a 4xx, and writes nothing', async () => {
    expect(FORM_ROUTES.map((r) => r.page).sort(), 'pages reading a form that the fuzz test does not post to').toEqual(
      formPages(),
    );

    const admin: FuzzRequest[] = [];
    const anonymous: FuzzRequest[] = [];
    const viewer: FuzzRequest[] = [];
    const batchOf = (route: FormRoute) => (route.anonymous ? anonymous : route.viewer ? viewer : admin);
    const empty: string[] = [];
    for (const route of FORM_ROUTES) {
      const shapes = await formShapes(route);
      if (shapes.length === 0) empty.push(route.page);
      const requests = [
        ...badFormBodies(route.path(), shapes[0]),
        ...shapes.flatMap((s) => badFormFields(route.path(), s)),
      ];
      batchOf(route).push(...requests);
    }
    expect(empty, 'pages whose forms were not found').toEqual([]);
    // A form over the limit (64 KiB public, 1 MiB staff) is refused before it is read.
    for (const route of FORM_ROUTES) {
      const padded = urlEncoded([['padding', 'x'.repeat(route.path().startsWith('/admin') ? 1025 * 1024 : 65 * 1024)]]);
      batchOf(route).push({
        label: 'form over the limit',
        method: 'POST',
        path: route.path(),
        headers: FORM_TYPE,
        body: padded,
        expect: 413,
      });
    }

    const fuzzer = new Fuzzer(server.url, { origin: server.url });
    const signedIn = new Fuzzer(server.url, { origin: server.url, cookie: session.cookie });
    const member = new Fuzzer(server.url, { origin: server.url, cookie: viewerSession });
    const before = await tableCounts(server.dbFile);
    await fuzzer.run(anonymous);
    await signedIn.run(admin);
    await member.run(viewer);
    for (const other of [signedIn, member]) {
      for (const key of ['serverErrors', 'silentRefusals', 'unexpected'] as const) fuzzer[key].push(...other[key]);
      fuzzer.sent += other.sent;
      for (const [s, n] of other.statuses) fuzzer.statuses.set(s, (fuzzer.statuses.get(s) ?? 0) + n);
    }
    await expectRefusedCleanly(fuzzer, before);
  }, 90_000);

  test('a NUL byte in a form field is refused with a message naming the field', async () => {
    const r = await session.post('/admin/incidents/new', [
      ['title', 'Database\u0000 down'],
      ['impact', 'minor'],
      ['status', 'investigating'],
      ['message', 'Checking.'],
    ]);
    expect(r.status).toBe(400);
    expect(r.html).toMatch(/Title must not contain the control character U\+0000/);
  });
});

// ---------------------------------------------------------------- ids in page addresses

describe('ids and filters in addresses', () => {
  test('an id that is not written canonically names nothing: 404 in a path, 400 in a query', async () => {
    const requests: FuzzRequest[] = [];
    const pathCases = (template: (id: string) => string, real: number, method = 'GET', body?: Buffer) => {
      for (const wrong of nonCanonicalIds(real)) {
        requests.push({
          label: `path id ${JSON.stringify(wrong)}`,
          method,
          path: template(encodeURIComponent(wrong)),
          headers: body ? FORM_TYPE : {},
          body,
          expect: 404,
        });
      }
    };
    pathCases((id) => `/incidents/${id}`, ids.incident);
    pathCases((id) => `/maintenance/${id}`, ids.maintenance);
    for (const [template, real] of [
      [(id: string) => `/admin/incidents/${id}`, ids.incident],
      [(id: string) => `/admin/maintenance/${id}`, ids.maintenance],
      [(id: string) => `/admin/reviews/${id}`, ids.review],
      [(id: string) => `/admin/reviews/${id}/rca`, ids.review],
      [(id: string) => `/admin/subscribers/${id}`, ids.subscriber],
      [(id: string) => `/admin/outbox/${id}`, ids.delivery],
      [(id: string) => `/admin/audiences/${id}`, ids.audience],
    ] as const) {
      pathCases(template, real);
      pathCases(template, real, 'POST', urlEncoded([['action', 'fuzz']]));
    }
    pathCases((id) => `/admin/reviews/${id}/lint`, ids.review, 'POST', json({ summary: 'x' }));
    requests.push({
      label: 'very long subscriber search',
      method: 'GET',
      path: `/admin/subscribers?q=${'x'.repeat(5000)}`,
      expect: 400,
    });
    for (const wrong of nonCanonicalIds(ids.component)) {
      requests.push({
        label: `badge component ${JSON.stringify(wrong)}`,
        method: 'GET',
        path: `/badge.svg?component=${encodeURIComponent(wrong)}`,
        expect: 400,
      });
      requests.push({
        label: `audit cursor ${JSON.stringify(wrong)}`,
        method: 'GET',
        path: `/admin/audit?before=${encodeURIComponent(wrong)}`,
        expect: 400,
      });
    }
    // The review editor's live lint reads JSON like the API does. It writes nothing and lints only
    // the sections that are text, so a nested array where a section belongs is just ignored.
    requests.push(
      ...badJsonBodies('lint', 'POST', `/admin/reviews/${ids.review}/lint`, { summary: 'x' }, ['deeply nested arrays']),
    );

    const fuzzer = new Fuzzer(server.url, { origin: server.url, cookie: session.cookie });
    const before = await tableCounts(server.dbFile);
    await fuzzer.run(requests);
    await expectRefusedCleanly(fuzzer, before);
  }, 90_000);
});
