// Imports started from the admin: what was asked (never the key), how far it got and the summary
// it ended with, kept in import_runs so every instance shows the same and a reload shows it again.
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { importRuns } from '../../db/schema/index.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import { ConflictError, fieldError, oneOf, parseInput } from '../errors.ts';
import { outboundPolicy, urlRefusal } from '../outbound-rules.ts';
import { isHttpUrl } from '../urls.ts';
import type { ImportSummary } from './import-summary.ts';
import { DEFAULT_API_BASE, type ImportTarget } from './statuspage-source.ts';
import type { ImportProgress } from './statuspage-import.ts';

export type ImportRun = typeof importRuns.$inferSelect;

export interface ImportRunView extends Omit<ImportRun, 'progress' | 'summary'> {
  progress: (ImportProgress & { at: number }) | null;
  summary: ImportSummary | null;
}

/** A run that has not moved for this long was cut off (its server stopped); it is shown as failed. */
export const STALLED_AFTER_MS = 10 * 60_000;

const text = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .max(max, `must be at most ${max.toLocaleString('en')} characters`)
    .default('');
const WEB_ADDRESS = 'must be a web address starting with http:// or https://';

/**
 * What the admin's form sends. Every field is checked whichever mode is chosen (a bad value in the
 * other mode's field is refused, not ignored); the chosen mode's fields are required.
 */
export const startImportSchema = z
  .object({
    mode: oneOf(['public', 'full']),
    url: text(2000).refine((v) => v === '' || isHttpUrl(v), WEB_ADDRESS),
    pageId: text(64).refine(
      (v) => v === '' || /^[A-Za-z0-9_-]+$/.test(v),
      'must be the page id Statuspage shows under API info (letters and digits)',
    ),
    apiKey: text(500),
    apiBase: text(2000).refine((v) => v === '' || isHttpUrl(v), WEB_ADDRESS),
    dryRun: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .superRefine((d, ctx) => {
    const required = d.mode === 'public' ? (['url'] as const) : (['pageId', 'apiKey'] as const);
    for (const key of required) if (!d[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required' });
  });

export type StartImport = z.output<typeof startImportSchema>;

/** Checks the request and records the run; the caller runs it (in the background). */
export async function createImportRun(
  db: Db,
  input: unknown,
  startedBy: number | null,
  now = Date.now(),
): Promise<{ run: ImportRun; target: ImportTarget; dryRun: boolean }> {
  const data = parseInput(startImportSchema, input);
  const apiBase = data.apiBase || DEFAULT_API_BASE;
  const address = data.mode === 'public' ? data.url : apiBase;
  // Said now, in words, for an address given as a private IP; names are judged again at connect time.
  const refusal = urlRefusal(address, outboundPolicy());
  if (refusal) throw fieldError(data.mode === 'public' ? 'url' : 'apiBase', refusal);
  const target: ImportTarget =
    data.mode === 'public'
      ? { mode: 'public', url: data.url }
      : { mode: 'full', pageId: data.pageId, apiKey: data.apiKey, apiBase };
  const source = data.mode === 'public' ? data.url : `page ${data.pageId} (${apiBase})`;
  return db.transaction(async (tx) => {
    const [running] = await tx.select().from(importRuns).where(eq(importRuns.state, 'running'));
    if (running && now - progressAt(running) < STALLED_AFTER_MS)
      throw new ConflictError(`An import is already running (${running.source}); wait for it to finish.`);
    const [run] = await tx
      .insert(importRuns)
      .values({
        source,
        mode: data.mode,
        dryRun: data.dryRun,
        state: 'running',
        progress: JSON.stringify({ phase: 'read', step: 'starting', done: 0, total: null, at: now }),
        startedBy,
        startedAt: now,
      })
      .returning();
    // The key is never recorded: not here, not in the run.
    await recordAudit(
      tx,
      {
        action: 'import.start',
        subjectType: 'import',
        subjectId: run.id,
        after: { source, mode: data.mode, dryRun: data.dryRun },
      },
      now,
    );
    return { run, target, dryRun: data.dryRun };
  });
}

function progressAt(run: ImportRun): number {
  try {
    return (JSON.parse(run.progress) as { at?: number }).at ?? run.startedAt;
  } catch {
    return run.startedAt;
  }
}

export async function saveProgress(db: DbOrTx, id: number, progress: ImportProgress, now = Date.now()): Promise<void> {
  await db
    .update(importRuns)
    .set({ progress: JSON.stringify({ ...progress, at: now }) })
    .where(eq(importRuns.id, id));
}

export async function finishImportRun(
  db: DbOrTx,
  id: number,
  outcome: { summary: ImportSummary } | { error: string },
  now = Date.now(),
): Promise<void> {
  await db
    .update(importRuns)
    .set(
      'summary' in outcome
        ? { state: 'done', summary: JSON.stringify(outcome.summary), finishedAt: now }
        : { state: 'failed', error: outcome.error, finishedAt: now },
    )
    .where(eq(importRuns.id, id));
}

function view(run: ImportRun, now: number): ImportRunView {
  const parse = <T>(text: string | null): T | null => {
    try {
      return text ? (JSON.parse(text) as T) : null;
    } catch {
      return null;
    }
  };
  const stalled = run.state === 'running' && now - progressAt(run) >= STALLED_AFTER_MS;
  return {
    ...run,
    state: stalled ? 'failed' : run.state,
    error: stalled
      ? 'Interrupted: the server stopped during the import. Run it again: it picks up where it stopped.'
      : run.error,
    progress: parse(run.progress),
    summary: parse(run.summary),
  };
}

/** The latest runs, newest first. */
export async function listImportRuns(db: DbOrTx, limit = 10, now = Date.now()): Promise<ImportRunView[]> {
  const rows = await db.select().from(importRuns).orderBy(desc(importRuns.startedAt), desc(importRuns.id)).limit(limit);
  return rows.map((r) => view(r, now));
}
