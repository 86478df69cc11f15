// Incident templates: a name, and the title, status, impact, message and component states to start
// from when opening an incident or posting an update.
import { asc, eq, inArray, ne, and } from 'drizzle-orm';
import { z } from 'zod';
import { components, incidentTemplates } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { componentStateSchema } from './components.ts';
import { ConflictError, NotFoundError, oneOf, parseInput } from './errors.ts';
import { canonicalId, idKeySchema } from './input.ts';
import {
  INCIDENT_IMPACTS,
  INCIDENT_STATUSES,
  type ComponentState,
  type IncidentImpact,
  type IncidentStatus,
} from './status.ts';

export interface IncidentTemplate {
  id: number;
  name: string;
  title: string;
  status: IncidentStatus;
  impact: IncidentImpact;
  message: string;
  components: Record<string, ComponentState>;
  createdAt: number;
  updatedAt: number;
}

export const templateSchema = z.object({
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  // Empty for templates meant for updates, where the incident already has its title.
  title: z.string().trim().max(200, 'must be at most 200 characters').default(''),
  status: oneOf(INCIDENT_STATUSES).default('investigating'),
  impact: oneOf(INCIDENT_IMPACTS).default('minor'),
  message: z.string({ error: 'is required' }).trim().min(1, 'is required').max(20_000),
  components: z.record(idKeySchema('component ids are whole numbers from 1'), componentStateSchema).default({}),
});

type Row = typeof incidentTemplates.$inferSelect;

const toTemplate = (r: Row): IncidentTemplate => ({
  ...r,
  status: r.status,
  impact: r.impact,
  components: JSON.parse(r.components) as Record<string, ComponentState>,
});

export async function listTemplates(db: DbOrTx): Promise<IncidentTemplate[]> {
  return (await db.select().from(incidentTemplates).orderBy(asc(incidentTemplates.name))).map(toTemplate);
}

export async function getTemplate(db: DbOrTx, id: number): Promise<IncidentTemplate> {
  const [row] = await db.select().from(incidentTemplates).where(eq(incidentTemplates.id, id));
  if (!row) throw new NotFoundError('template', id);
  return toTemplate(row);
}

async function validate(tx: DbOrTx, data: z.output<typeof templateSchema>, id: number | null): Promise<void> {
  const ids = Object.keys(data.components).map(Number);
  if (ids.length) {
    const found = await tx.select({ id: components.id }).from(components).where(inArray(components.id, ids));
    const missing = ids.filter((i) => !found.some((f) => f.id === i));
    if (missing.length) throw new NotFoundError('component', missing);
  }
  const [clash] = await tx
    .select({ id: incidentTemplates.id })
    .from(incidentTemplates)
    .where(
      id === null
        ? eq(incidentTemplates.name, data.name)
        : and(eq(incidentTemplates.name, data.name), ne(incidentTemplates.id, id)),
    );
  if (clash) throw new ConflictError(`A template named "${data.name}" already exists.`);
}

export async function createTemplate(db: Db, input: unknown, now = Date.now()): Promise<IncidentTemplate> {
  const data = parseInput(templateSchema, input);
  return db.transaction(async (tx) => {
    await validate(tx, data, null);
    const [row] = await tx
      .insert(incidentTemplates)
      .values({ ...data, components: JSON.stringify(data.components), createdAt: now, updatedAt: now })
      .returning();
    await recordAudit(tx, { action: 'template.create', subjectType: 'template', subjectId: row.id, after: data }, now);
    return toTemplate(row);
  });
}

export async function updateTemplate(db: Db, id: number, input: unknown, now = Date.now()): Promise<IncidentTemplate> {
  const data = parseInput(templateSchema, input);
  return db.transaction(async (tx) => {
    const before = await getTemplate(tx, id);
    await validate(tx, data, id);
    await recordAudit(
      tx,
      { action: 'template.update', subjectType: 'template', subjectId: id, before, after: data },
      now,
    );
    const [row] = await tx
      .update(incidentTemplates)
      .set({ ...data, components: JSON.stringify(data.components), updatedAt: now })
      .where(eq(incidentTemplates.id, id))
      .returning();
    return toTemplate(row);
  });
}

export async function deleteTemplate(db: Db, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getTemplate(tx, id);
    await tx.delete(incidentTemplates).where(eq(incidentTemplates.id, id));
    await recordAudit(tx, { action: 'template.delete', subjectType: 'template', subjectId: id, before });
  });
}

/** The template to prefill a form with, from `?template=ID`; null when absent, not an id, or unknown. */
export async function templateFromQuery(db: DbOrTx, value: string | null): Promise<IncidentTemplate | null> {
  const id = canonicalId(value);
  if (id === null) return null;
  try {
    return await getTemplate(db, id);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
