// Candor for AI agents: a Model Context Protocol endpoint at /mcp (streamable HTTP, stateless: a
// server per request), built on the official SDK. Public tools need no token and read what the
// public pages show, through the same cache as the public JSON; staff tools appear with an API
// token, obey its scope and role like API v1, write drafts only (a person or a token that may
// publishes), and are audited as that token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { incidentJson } from '../domain/api-shapes.ts';
import { runAs } from '../domain/audit.ts';
import { tokenCan, type Permission } from '../domain/auth/roles.ts';
import { authenticateApiToken } from '../domain/auth/users.ts';
import { ConflictError, InputError } from '../domain/errors.ts';
import {
  createIncident,
  createIncidentSchema,
  getIncident,
  postIncidentUpdate,
  postUpdateSchema,
  publishIncident,
} from '../domain/incidents.ts';
import { loadComponentViews } from '../domain/public-page.ts';
import { loadPublicVisibility } from '../domain/audiences/visibility.ts';
import { publicUrl } from '../domain/public-url.ts';
import { getPostmortem, listPostmortems } from '../domain/rca/postmortems.ts';
import { GLOSSARY, lintPublicFields, type LintContext } from '../domain/rca/lint.ts';
import { lintContextFor, lintReview } from '../domain/rca/lint-context.ts';
import { reduceReview } from '../domain/rca/reduce.ts';
import { loadReview } from '../domain/rca/reviews.ts';
import { loadSiteSettings } from '../domain/site-settings.ts';

export const MCP_PATH = '/mcp';

/** A record's id, as a plain integer the agent's JSON Schema can state. */
const idOf = (what: string) => z.int().min(1).describe(`The ${what}'s id (a whole number from 1).`);

type StaffUser = NonNullable<Awaited<ReturnType<typeof authenticateApiToken>>>;

export interface McpDeps {
  db: Db;
  /** A public JSON document as the read path serves it (from its cache), e.g. /api/v2/summary.json. */
  publicDocument: (path: string) => Promise<unknown>;
}

const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }] });

/** A refusal or bad input, as a tool result the agent reads (not a protocol error). */
const refusal = (message: string) => ({ content: [{ type: 'text' as const, text: message }], isError: true });

async function answer(run: () => Promise<unknown>) {
  try {
    return text(await run());
  } catch (error) {
    if (error instanceof InputError)
      return refusal([error.message, ...error.sentences.filter((s) => s !== error.message)].join(' '));
    throw error;
  }
}

function registerPublicTools(server: McpServer, deps: McpDeps, siteName: string): void {
  const read = { readOnlyHint: true, openWorldHint: false };
  server.registerTool(
    'get_status',
    {
      title: 'Current status',
      description: `The overall status of ${siteName} right now (Statuspage's status.json).`,
      annotations: read,
    },
    () => answer(() => deps.publicDocument('/api/v2/status.json')),
  );
  server.registerTool(
    'get_summary',
    {
      title: 'Status summary',
      description:
        'Overall status, every component with its state, unresolved incidents and maintenance in progress or scheduled (summary.json).',
      annotations: read,
    },
    () => answer(() => deps.publicDocument('/api/v2/summary.json')),
  );
  server.registerTool(
    'list_components',
    {
      title: 'Components and uptime',
      description:
        'Every component with its group, current state and uptime over the last 90 days, as the status page shows them.',
      annotations: read,
    },
    () =>
      answer(async () => {
        const { groups, ungrouped } = await loadComponentViews(
          deps.db,
          Date.now(),
          await loadPublicVisibility(deps.db),
        );
        const shape = (c: (typeof ungrouped)[number], group: string | null) => ({
          id: c.id,
          name: c.name,
          group,
          state: c.status,
          uptime_percent_90d: c.uptime.percent === null ? null : Number(c.uptime.percent.toFixed(3)),
        });
        return [
          ...groups.flatMap((g) => g.components.map((c) => shape(c, g.name))),
          ...ungrouped.map((c) => shape(c, null)),
        ];
      }),
  );
  server.registerTool(
    'list_incidents',
    {
      title: 'Incidents',
      description:
        'Published incidents with every update: those still open ("unresolved") or the most recent ones ("recent").',
      inputSchema: z.object({ which: z.enum(['unresolved', 'recent']).default('unresolved') }),
      annotations: read,
    },
    ({ which }) =>
      answer(() =>
        deps.publicDocument(which === 'unresolved' ? '/api/v2/incidents/unresolved.json' : '/api/v2/incidents.json'),
      ),
  );
  server.registerTool(
    'list_maintenance',
    {
      title: 'Scheduled maintenance',
      description:
        'Maintenance windows: in progress ("active"), still to come ("upcoming") or the recent ones ("recent").',
      inputSchema: z.object({ which: z.enum(['active', 'upcoming', 'recent']).default('upcoming') }),
      annotations: read,
    },
    ({ which }) =>
      answer(() =>
        deps.publicDocument(
          which === 'recent' ? '/api/v2/scheduled-maintenances.json' : `/api/v2/scheduled-maintenances/${which}.json`,
        ),
      ),
  );
  server.registerTool(
    'list_postmortems',
    {
      title: 'Post-incident reports',
      description:
        'Published root-cause analyses: title, summary, the incidents they cover, and how many of their commitments are done.',
      annotations: read,
    },
    () =>
      answer(async () =>
        (await listPostmortems(deps.db, await loadPublicVisibility(deps.db))).map((p) => ({
          slug: p.slug,
          title: p.content.title,
          summary: p.content.summary,
          url: `${publicUrl()}/postmortems/${p.slug}`,
          first_published_at: new Date(p.firstPublishedAt).toISOString(),
          incidents: p.content.incidents,
          commitments: p.tally,
        })),
      ),
  );
  server.registerTool(
    'get_postmortem',
    {
      title: 'One post-incident report',
      description:
        'The full published text of one post-incident report, its public timeline and commitments with their state.',
      inputSchema: z.object({ slug: z.string().min(1).max(200) }),
      annotations: read,
    },
    ({ slug }) =>
      answer(async () => {
        const p = await getPostmortem(deps.db, slug, await loadPublicVisibility(deps.db));
        if (!p)
          throw new InputError(`There is no published post-incident report "${slug}"; list_postmortems names them.`);
        return { slug: p.slug, ...p.content, commitments: p.commitments, revisions: p.revisions };
      }),
  );
}

function registerStaffTools(server: McpServer, deps: McpDeps, user: StaffUser): void {
  const author = { id: user.id, name: user.name };
  const actor = { kind: 'token' as const, id: user.id, name: user.name };
  /** Runs a tool as the token (audited so) once its scope and role allow `permission`. */
  const as = (permission: Permission | null, run: () => Promise<unknown>) =>
    permission && !tokenCan(user.role, user.scope, permission)
      ? Promise.resolve(
          refusal(`This token (scope "${user.scope}", role "${user.role}") may not do this: it needs "${permission}".`),
        )
      : answer(() => runAs(actor, run));
  const shaped = (incident: Parameters<typeof incidentJson>[0]) => incidentJson(incident, publicUrl());

  server.registerTool(
    'open_incident_draft',
    {
      title: 'Open an incident as a draft',
      description:
        'Writes a new incident as a draft: staff see it, the public does not, nobody is notified until it is published (publish_incident).',
      inputSchema: createIncidentSchema.omit({ draft: true, notify: true }),
    },
    (input) =>
      as('incidents:write', async () => shaped(await createIncident(deps.db, { ...input, draft: true }, author))),
  );
  server.registerTool(
    'post_update_draft',
    {
      title: 'Add an update to a draft incident',
      description:
        'Adds an update to an incident that is still a draft. Updates to published incidents are for people (or API v1): they reach subscribers at once.',
      inputSchema: postUpdateSchema.omit({ notify: true }).extend({ incidentId: idOf('incident') }),
    },
    ({ incidentId, ...update }) =>
      as('incidents:write', async () => {
        const incident = await getIncident(deps.db, incidentId);
        if (incident.published)
          throw new ConflictError(
            `Incident ${incidentId} is published: updates to it reach subscribers at once, so an agent only drafts. Post this through the admin or API v1.`,
          );
        return shaped(await postIncidentUpdate(deps.db, incidentId, update, author));
      }),
  );
  server.registerTool(
    'publish_incident',
    {
      title: 'Publish a draft incident',
      description:
        'Makes a draft incident public and notifies its subscribers. Only a token allowed to write incidents may.',
      inputSchema: z.object({ incidentId: idOf('incident') }),
      annotations: { destructiveHint: false, idempotentHint: false },
    },
    ({ incidentId }) => as('incidents:write', async () => shaped(await publishIncident(deps.db, incidentId, {}))),
  );
  server.registerTool(
    'lint_rca_text',
    {
      title: 'Check public RCA wording',
      description:
        "Runs Candor's RCA lint on a text meant for customers: internal names, blame, vague durations, unexplained jargon and more, each finding with why and a suggested wording. With reviewId, names and times are checked against that review.",
      inputSchema: z.object({ text: z.string().min(1).max(20_000), reviewId: idOf('review').optional() }),
      annotations: { readOnlyHint: true },
    },
    ({ text: body, reviewId }) =>
      as(reviewId ? 'reviews:write' : null, async () => {
        const ctx: LintContext = reviewId
          ? lintContextFor(await loadReview(deps.db, reviewId))
          : {
              glossary: GLOSSARY,
              people: [],
              startedAt: null,
              resolvedAt: null,
              times: [],
              durations: [],
              committedActions: 0,
            };
        return lintPublicFields([{ field: 'text', text: body }], ctx).map((f) => ({
          rule: f.rule,
          severity: f.severity,
          match: f.match,
          message: f.message,
          suggestion: f.suggestion ?? null,
        }));
      }),
  );
  server.registerTool(
    'draft_rca',
    {
      title: 'Draft the public RCA from a review',
      description:
        'Reduces an internal post-incident review to the public RCA sections (nothing is saved) and lints the result, so an agent can propose wording for a person to approve.',
      inputSchema: z.object({ reviewId: idOf('review') }),
      annotations: { readOnlyHint: true },
    },
    ({ reviewId }) =>
      as('reviews:write', async () => {
        const view = await loadReview(deps.db, reviewId);
        const { draft, sources } = reduceReview(view);
        return { draft, sources, findings: lintReview(view, draft) };
      }),
  );
}

/** Answers one /mcp request. A token, when sent, must be valid: a wrong one is a 401, not the public tools. */
export async function serveMcp(req: IncomingMessage, res: ServerResponse, body: unknown, deps: McpDeps): Promise<void> {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const user = token ? await authenticateApiToken(deps.db, token) : null;
  if (header && !user) {
    res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: { code: -32001, message: 'The API token is unknown or revoked; send none for the public tools.' },
        id: null,
      }),
    );
    return;
  }
  // The page name is a setting staff may change at any time: read per request.
  const siteName = (await loadSiteSettings(deps.db)).name;
  const server = new McpServer(
    { name: 'candor', title: `${siteName} status (Candor)`, version: '1.0.0' },
    {
      instructions: `Status of ${siteName}. Public tools read what its status page shows.${user ? ' Staff tools write drafts only; publishing is a separate, deliberate step.' : ''}`,
    },
  );
  registerPublicTools(server, deps, siteName);
  if (user) registerStaffTools(server, deps, user);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}
