// Audiences, what they are given and their readers, for read-path tests (issue 20), written
// straight into a test server's database until the tests switch to the management API and the
// sign-in flows. Each change that alters who sees what is recorded on the change feed as
// management records it (a `structure` change), so the server's caches drop and its viewer gate
// reloads, as they would in production.
import { createClient, type InStatement } from '@libsql/client';
import { generateToken, hashToken } from '../../src/domain/auth/tokens.ts';
import { VIEWER_COOKIE } from '../../src/domain/audiences/viewer.ts';

async function run(dbFile: string, statements: InStatement[]): Promise<number[]> {
  const client = createClient({ url: `file:${dbFile}`, timeout: 10_000 });
  try {
    const results = await client.batch(statements, 'write');
    return results.map((r) => Number(r.lastInsertRowid ?? 0));
  } finally {
    client.close();
  }
}

const structureChange = (subject: string): InStatement => ({
  sql: `INSERT INTO change_events (kind, subject) VALUES ('structure', ?)`,
  args: [subject],
});

/** An audience given `components` and `groups` (ids); returns its id. */
export async function addAudience(
  dbFile: string,
  name: string,
  given: { components?: number[]; groups?: number[]; ipAllowlist?: string[] } = {},
): Promise<number> {
  const now = Date.now();
  const [id] = await run(dbFile, [
    {
      sql: `INSERT INTO audiences (name, ip_allowlist, created_at, updated_at) VALUES (?, ?, ?, ?)`,
      args: [name, JSON.stringify(given.ipAllowlist ?? []), now, now],
    },
  ]);
  await run(dbFile, [
    ...(given.components ?? []).map((c) => ({
      sql: `INSERT INTO component_audiences (component_id, audience_id) VALUES (?, ?)`,
      args: [c, id],
    })),
    ...(given.groups ?? []).map((g) => ({
      sql: `INSERT INTO group_audiences (group_id, audience_id) VALUES (?, ?)`,
      args: [g, id],
    })),
    structureChange(`audience:${id}`),
  ]);
  return id;
}

/** A signed-in viewer of `audienceId` (admitted by its shared password): the Cookie header to send. */
export async function viewerCookie(dbFile: string, audienceId: number): Promise<string> {
  const secret = generateToken();
  const now = Date.now();
  await run(dbFile, [
    {
      sql: `INSERT INTO viewer_sessions (id, email, expires_at, created_at) VALUES (?, NULL, ?, ?)`,
      args: [hashToken(secret), now + 86_400_000, now],
    },
    {
      sql: `INSERT INTO viewer_grants (session_id, audience_id, method, credential_version, created_at)
            SELECT ?, id, 'password', credential_version, ? FROM audiences WHERE id = ?`,
      args: [hashToken(secret), now, audienceId],
    },
  ]);
  return `${VIEWER_COOKIE}=${secret}`;
}

/** A member's secret feed URL prefix for `audienceId` (`/my/<token>`), as /my makes them. */
export async function feedLink(dbFile: string, audienceId: number): Promise<string> {
  const token = generateToken();
  await run(dbFile, [
    {
      sql: `INSERT INTO viewer_feed_tokens (token_hash, audience_id, email, method, credential_version, created_at)
            SELECT ?, id, NULL, 'password', credential_version, ? FROM audiences WHERE id = ?`,
      args: [hashToken(token), Date.now(), audienceId],
    },
  ]);
  return `/my/${token}`;
}

/** Marks a subscriber as having subscribed as a member of `audienceId`. */
export async function addSubscriberAudience(dbFile: string, subscriberId: number, audienceId: number): Promise<void> {
  await run(dbFile, [
    {
      sql: `INSERT INTO subscriber_audiences (subscriber_id, audience_id) VALUES (?, ?)`,
      args: [subscriberId, audienceId],
    },
  ]);
}

/**
 * A published post-mortem covering `incidentIds`, as publishing leaves it (the review row with its
 * slug, the links to its incidents and revision 1 of the public snapshot), every section `text`.
 */
export async function addPublishedPostmortem(
  dbFile: string,
  fields: {
    slug: string;
    title: string;
    text: string;
    incidents: { id: number; title: string }[];
    components: { id: number; name: string }[];
  },
): Promise<number> {
  const now = Date.now();
  const content = {
    title: fields.title,
    summary: fields.text,
    wrong: fields.text,
    response: fields.text,
    doing: fields.text,
    recommendations: fields.text,
    startedAt: now - 3_600_000,
    resolvedAt: now - 60_000,
    incidents: fields.incidents,
    components: fields.components.map((c) => ({ ...c, worst: 'major_outage' })),
    timeline: [],
    phases: [],
    commitments: [],
  };
  const [id] = await run(dbFile, [
    {
      sql: `INSERT INTO reviews (title, severity, state, request_context, slug, published_at, created_at, updated_at)
            VALUES (?, 'sev2', 'published', '', ?, ?, ?, ?)`,
      args: [fields.title, fields.slug, now, now, now],
    },
  ]);
  await run(dbFile, [
    ...fields.incidents.map((i) => ({
      sql: `INSERT INTO review_incidents (review_id, incident_id) VALUES (?, ?)`,
      args: [id, i.id],
    })),
    {
      sql: `INSERT INTO postmortem_revisions (review_id, revision, content, sources, published_at) VALUES (?, 1, ?, '{}', ?)`,
      args: [id, JSON.stringify(content), now],
    },
    { sql: `INSERT INTO change_events (kind, subject) VALUES ('postmortem', ?)`, args: [`postmortem:${id}`] },
  ]);
  return id;
}
