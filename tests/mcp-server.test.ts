// The MCP endpoint, driven by the official SDK's own client over streamable HTTP: the public tools
// without a token (and nothing private in them), the staff tools with one, scope refusals, drafts
// only, audit as the token, and plain errors for bad input.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';

let server: TestServer;
let dbFile: string;
let support: string;
let reader: string;
let author: string;
const clients: Client[] = [];

beforeAll(async () => {
  dbFile = tempDbFile();
  server = await startServer({ dbFile });
  support = createUserWithToken(dbFile, 'support', 'desk@example.com', 'Desk Bot', 'support').token;
  reader = createUserWithToken(dbFile, 'support', 'watch@example.com', 'Watcher', 'read').token;
  author = createUserWithToken(dbFile, 'author', 'rca@example.com', 'RCA Writer', 'admin').token;
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await server?.stop();
});

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'candor-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  return { ...result, text: result.content.map((c) => c.text).join('\n') };
}
const json = (r: { text: string }) => JSON.parse(r.text) as unknown;

const PUBLIC = [
  'get_postmortem',
  'get_status',
  'get_summary',
  'list_components',
  'list_incidents',
  'list_maintenance',
  'list_postmortems',
];
const STAFF = ['draft_rca', 'lint_rca_text', 'open_incident_draft', 'post_update_draft', 'publish_incident'];

describe('public tools', () => {
  test('without a token: the public tools only, each answering what the public API shows', async () => {
    const client = await connect();
    const tools = (await client.listTools()).tools;
    expect(tools.map((t) => t.name).sort()).toEqual(PUBLIC);
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(30);
      expect(tool.inputSchema.type).toBe('object');
    }
    const status = json(await call(client, 'get_status'));
    const publicStatus = await (await fetch(`${server.url}/api/v2/status.json`)).json();
    expect(status).toEqual(publicStatus);
    const summary = json(await call(client, 'get_summary')) as { components: { group: boolean }[] };
    expect(summary).toEqual(await (await fetch(`${server.url}/api/v2/summary.json`)).json());
    const components = json(await call(client, 'list_components')) as { name: string; uptime_percent_90d: number }[];
    // summary.json lists groups as components too (Statuspage's shape); the tool lists components.
    expect(components.length).toBe(summary.components.filter((c) => !c.group).length);
    expect(components.every((c) => typeof c.uptime_percent_90d === 'number')).toBe(true);
    const recent = json(await call(client, 'list_incidents', { which: 'recent' }));
    expect(recent).toEqual(await (await fetch(`${server.url}/api/v2/incidents.json`)).json());
    const upcoming = json(await call(client, 'list_maintenance', { which: 'upcoming' }));
    expect(upcoming).toEqual(await (await fetch(`${server.url}/api/v2/scheduled-maintenances/upcoming.json`)).json());
    // The demo's review is not published: its text stays out, as it stays off /postmortems.
    const postmortems = json(await call(client, 'list_postmortems')) as { slug: string }[];
    const page = await (await fetch(`${server.url}/postmortems`)).text();
    for (const p of postmortems) expect(page).toContain(`/postmortems/${p.slug}`);
    const db = createClient({ url: `file:${dbFile}` });
    const drafts = (await db.execute(`select draft from reviews where published_at is null`)).rows
      .map((r) => (JSON.parse(String(r.draft)) as { summary?: string }).summary ?? '')
      .filter((t) => t.length > 40);
    db.close();
    for (const summaryText of drafts)
      expect((await call(client, 'list_postmortems')).text).not.toContain(summaryText.slice(0, 40));
    const missing = await call(client, 'get_postmortem', { slug: 'no-such-report' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/no published post-incident report/);
  });

  test('a draft stays out of the public tools; a wrong token is refused rather than served as public', async () => {
    const staff = await connect(support);
    const draft = json(
      await call(staff, 'open_incident_draft', {
        title: 'Secret draft outage',
        impact: 'major',
        message: 'Internal only.',
      }),
    ) as { id: number };
    expect(draft.id).toBeGreaterThan(0);
    const anyone = await connect();
    for (const name of ['get_summary', 'list_incidents'])
      expect((await call(anyone, name)).text).not.toContain('Secret draft outage');
    expect((await call(anyone, 'list_incidents', { which: 'recent' })).text).not.toContain('Secret draft outage');
    const wrong = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer nope',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(wrong.status).toBe(401);
  });
});

describe('staff tools', () => {
  test('support drafts, updates the draft and publishes; audited as the token; published incidents are not for agents', async () => {
    const client = await connect(support);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([...STAFF, ...PUBLIC].sort());
    const opened = json(
      await call(client, 'open_incident_draft', {
        title: 'Agent-drafted incident',
        impact: 'minor',
        message: 'Seeing errors.',
      }),
    ) as { id: number; published: boolean };
    expect(opened.published).toBe(false);
    const updated = await call(client, 'post_update_draft', {
      incidentId: opened.id,
      status: 'identified',
      message: 'Found the cause.',
    });
    expect(updated.isError, updated.text).toBeFalsy();
    const published = json(await call(client, 'publish_incident', { incidentId: opened.id })) as { published: boolean };
    expect(published.published).toBe(true);
    const late = await call(client, 'post_update_draft', {
      incidentId: opened.id,
      status: 'resolved',
      message: 'Fixed.',
    });
    expect(late.isError).toBe(true);
    expect(late.text).toMatch(/is published: .* an agent only drafts/);
    const db = createClient({ url: `file:${dbFile}` });
    const audit = await db.execute({
      sql: `select actor_kind, actor_name, action from audit_log where subject_type = 'incident' and subject_id = ? order by id`,
      args: [String(opened.id)],
    });
    db.close();
    expect(audit.rows.map((r) => [r.actor_kind, r.actor_name])).toEqual(audit.rows.map(() => ['token', 'Desk Bot']));
    expect(audit.rows.length).toBeGreaterThanOrEqual(3);
    // The public API now shows it, as the page does.
    expect(JSON.stringify(await api(server.url, null, 'GET', '/api/v2/incidents/unresolved.json'))).toContain(
      'Agent-drafted incident',
    );
  });

  test('a read token may lint but not write; bad input gets a plain error', async () => {
    const client = await connect(reader);
    const refused = await call(client, 'open_incident_draft', { title: 'Nope', impact: 'minor', message: 'x' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/scope "read".*needs "incidents:write"/);
    const lint = json(
      await call(client, 'lint_rca_text', {
        text: 'We apologise for any inconvenience. Errors started at 3:45 PM PST and the orders-db-west3 primary was OOM-killed.',
      }),
    ) as { rule: string; message: string }[];
    expect(lint.length).toBeGreaterThan(0);
    for (const f of lint) expect(f.message.length).toBeGreaterThan(10);
    const support2 = await connect(support);
    const bad = await call(support2, 'open_incident_draft', { title: '', impact: 'cataclysmic', message: 'x' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/impact|title/i);
  });

  test('an author drafts the public RCA from a review; support may not', async () => {
    const client = await connect(author);
    const reviews = await api(server.url, author, 'GET', '/api/v1/incidents');
    expect(reviews.status).toBe(200);
    const db = createClient({ url: `file:${dbFile}` });
    const [review] = (await db.execute('select id from reviews order by id limit 1')).rows;
    db.close();
    const drafted = json(await call(client, 'draft_rca', { reviewId: Number(review.id) })) as {
      draft: Record<string, string>;
      findings: unknown[];
    };
    expect(Object.keys(drafted.draft)).toEqual(
      expect.arrayContaining(['title', 'summary', 'wrong', 'response', 'doing']),
    );
    expect(Array.isArray(drafted.findings)).toBe(true);
    const refused = await call(await connect(support), 'draft_rca', { reviewId: Number(review.id) });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/needs "reviews:write"/);
  });
});
