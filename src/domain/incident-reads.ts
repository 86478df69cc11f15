// Incidents read with their updates and affected components, for pages, feeds, the API and the
// admin. Everything comes back in one statement as one row of JSON: the driver builds each row it
// answers property by property (about 10 µs for an incident row, more than SQLite spends finding
// it), so a list of 50 incidents and their 150 updates read as rows cost twice what it costs as
// JSON, and a long history fills every list.
import { desc, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { components, incidents, incidentUpdateComponents, incidentUpdates } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import type { ComponentState, IncidentImpact, IncidentStatus } from './status.ts';
import type { Incident, IncidentUpdateView, IncidentView } from './incident-types.ts';
import { inIds } from '../db/id-list.ts';

type IncidentRow = [
  number,
  string,
  IncidentImpact,
  IncidentStatus,
  number,
  number | null,
  0 | 1,
  number,
  number,
  number | null,
];
type UpdateRow = [number, number, IncidentStatus, string, number, number, number | null, string, number | null];
type AffectedRow = [number, number, ComponentState, ComponentState, string | null];

interface Read {
  incidents: Incident[];
  updates: Map<number, IncidentUpdateView[]>;
}

/**
 * The incidents `picked` selects (every column of `incidents`), with their updates, newest first.
 * Aggregates are unordered (and a libSQL server does not parse ORDER BY inside one), so callers
 * put the incidents in order; updates are sorted here.
 */
async function readIncidents(db: DbOrTx, picked: SQLWrapper): Promise<Read> {
  const [row] = await db.all<{ incidents: string; updates: string; affected: string }>(sql`
    WITH picked AS (SELECT * FROM ${picked})
    SELECT
      (SELECT json_group_array(json_array(id, title, impact, status, started_at, resolved_at, published,
        created_at, updated_at, created_by)) FROM picked) AS incidents,
      (SELECT json_group_array(json_array(u.id, u.incident_id, u.status, u.body, u.created_at, u.display_at,
        u.author_id, u.author_name, u.edited_at))
        FROM ${incidentUpdates} u WHERE u.incident_id IN (SELECT id FROM picked)) AS updates,
      (SELECT json_group_array(json_array(a.update_id, a.component_id, a.old_status, a.new_status, c.name))
        FROM ${incidentUpdates} u JOIN ${incidentUpdateComponents} a ON a.update_id = u.id
        LEFT JOIN ${components} c ON c.id = a.component_id
        WHERE u.incident_id IN (SELECT id FROM picked)) AS affected`);
  const affectedByUpdate = new Map<number, IncidentUpdateView['affected']>();
  for (const [updateId, componentId, oldStatus, newStatus, name] of JSON.parse(row.affected) as AffectedRow[]) {
    const list = affectedByUpdate.get(updateId) ?? [];
    list.push({ componentId, name: name ?? `Component ${componentId}`, oldStatus, newStatus });
    affectedByUpdate.set(updateId, list);
  }
  const updateRows = (JSON.parse(row.updates) as UpdateRow[]).sort((a, b) => b[5] - a[5] || b[0] - a[0]);
  const updates = new Map<number, IncidentUpdateView[]>();
  for (const [id, incidentId, status, body, createdAt, displayAt, authorId, authorName, editedAt] of updateRows) {
    const list = updates.get(incidentId) ?? [];
    list.push({
      id,
      incidentId,
      status,
      body,
      createdAt,
      displayAt,
      authorId,
      authorName,
      editedAt,
      // By component id, the order of the table's key.
      affected: (affectedByUpdate.get(id) ?? []).sort((a, b) => a.componentId - b.componentId),
    });
    updates.set(incidentId, list);
  }
  const list = (JSON.parse(row.incidents) as IncidentRow[]).map(
    ([id, title, impact, status, startedAt, resolvedAt, published, createdAt, updatedAt, createdBy]) => ({
      id,
      title,
      impact,
      status,
      startedAt,
      resolvedAt,
      published: published === 1,
      createdAt,
      updatedAt,
      createdBy,
    }),
  );
  return { incidents: list, updates };
}

function withUpdates(rows: Incident[], updates: Read['updates']): IncidentView[] {
  return rows.map((r) => ({ ...r, updates: updates.get(r.id) ?? [] }));
}

/** Views of incident rows already read, in their order. */
export async function loadIncidentViews(db: DbOrTx, rows: Incident[]): Promise<IncidentView[]> {
  if (rows.length === 0) return [];
  const picked = db
    .select()
    .from(incidents)
    .where(
      inIds(
        incidents.id,
        rows.map((r) => r.id),
      ),
    );
  return withUpdates(rows, (await readIncidents(db, picked)).updates);
}

/** Lists are newest first, by start (pages) or by creation (feeds, the v2 lists); the id breaks ties. */
export type IncidentOrder = 'startedAt' | 'createdAt';

/**
 * The incidents `where` selects, newest first by `order`, with their updates: all of them, or a
 * page (`limit` from `offset`).
 */
export async function loadIncidentList(
  db: DbOrTx,
  where: SQL | undefined,
  order: IncidentOrder,
  page?: { limit: number; offset?: number },
): Promise<IncidentView[]> {
  const query = db.select().from(incidents).where(where).orderBy(desc(incidents[order]), desc(incidents.id)).$dynamic();
  const picked = page ? query.limit(page.limit).offset(page.offset ?? 0) : query;
  const read = await readIncidents(db, picked);
  const rows = read.incidents.sort((a, b) => b[order] - a[order] || b.id - a.id);
  return withUpdates(rows, read.updates);
}
