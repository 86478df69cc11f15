// Importing a Statuspage page into Candor: read it (public documents or the management API),
// then write what is new or changed, remembering each source id so running again updates instead
// of duplicating. Nothing imported notifies anyone; times, statuses and texts are the source's.
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import { StatuspageClient, type ClientOptions } from './statuspage-client.ts';
import { readSource, type ImportTarget } from './statuspage-source.ts';
import { prepare, type ImportContext } from './import-context.ts';
import { loadRemembered } from './import-records.ts';
import { syncDerivedHistory } from './import-history.ts';
import { emptySummary, type ImportSummary } from './import-summary.ts';
import { writeComponents, writeGroups, writePageName, writeSubscribers } from './write-structure.ts';
import { writeIncidents, writeMaintenances } from './write-events.ts';

export type { ImportTarget } from './statuspage-source.ts';
export type { ImportSummary } from './import-summary.ts';

export interface ImportProgress {
  phase: 'read' | 'write' | 'history';
  /** What is being read ("incidents"), or "items" while writing. */
  step: string;
  done: number;
  /** Known while writing; reading cannot know how many pages there are. */
  total: number | null;
}

export interface ImportOptions {
  target: ImportTarget;
  dryRun?: boolean;
  now?: number;
  client?: Omit<ClientOptions, 'onRetry'>;
  onProgress?: (progress: ImportProgress) => void;
  onRetry?: ClientOptions['onRetry'];
}

/** The name imported items are remembered under: one per Statuspage page, whichever API read it. */
export const sourceName = (pageId: string) => `statuspage:${pageId}`;

export async function importStatuspage(db: Db, options: ImportOptions): Promise<ImportSummary> {
  const now = options.now ?? Date.now();
  const progress = options.onProgress ?? (() => {});
  let retries = 0;
  const client = new StatuspageClient({
    ...options.client,
    onRetry: (event) => {
      retries++;
      options.onRetry?.(event);
    },
  });
  const snapshot = await readSource(client, options.target, now, (step, done) =>
    progress({ phase: 'read', step, done, total: null }),
  );
  const source = sourceName(snapshot.page.id);
  const summary = emptySummary(source, snapshot.mode, options.dryRun ?? false);
  for (const note of snapshot.skipped) {
    if (note.kind !== 'page') summary.counts[note.kind].skipped++;
    summary.skipped.push(note);
  }
  summary.warnings.push(...snapshot.warnings);
  const total =
    snapshot.groups.length +
    snapshot.components.length +
    snapshot.incidents.length +
    snapshot.maintenances.length +
    snapshot.subscribers.length;
  let done = 0;
  const ctx: ImportContext = {
    db,
    source,
    dryRun: summary.dryRun,
    now,
    remembered: await loadRemembered(db, source),
    alive: new Map(),
    groupIds: new Map(),
    componentIds: new Map(),
    summary,
    tick: () => progress({ phase: 'write', step: 'items', done: ++done, total }),
  };
  await prepare(ctx);
  await writePageName(ctx, snapshot.page);
  await writeGroups(ctx, snapshot.groups);
  await writeComponents(ctx, snapshot.components);
  // Oldest first, so local ids follow the source's order where times tie.
  await writeIncidents(
    ctx,
    [...snapshot.incidents].sort((a, b) => a.createdAt - b.createdAt),
  );
  await writeMaintenances(
    ctx,
    [...snapshot.maintenances].sort((a, b) => a.createdAt - b.createdAt),
  );
  await writeSubscribers(ctx, snapshot.subscribers);
  summary.requests = client.requests;
  summary.retries = retries;
  if (summary.dryRun) return summary;
  progress({ phase: 'history', step: 'component history', done: 0, total: null });
  await syncDerivedHistory(ctx);
  const { skipped, warnings, ...facts } = summary;
  await recordAudit(
    db,
    {
      action: 'import.statuspage',
      subjectType: 'import',
      subjectId: source,
      after: { ...facts, skipped: skipped.length, warnings: warnings.length },
    },
    now,
  );
  return summary;
}
