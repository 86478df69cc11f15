// Runs an import started from the admin in the background of the process that took the request,
// reading the source only through the outbound guard (a user named the address: Candor never
// calls a private one on their behalf). Progress is written to the run as it goes (at most a few
// times a second), the summary when it ends; the import itself audits what it wrote.
import { getDb } from '../db/client.ts';
import { outboundPolicy } from '../domain/outbound-rules.ts';
import { InputError } from '../domain/errors.ts';
import { SourceError, type FetchLike } from '../domain/import/statuspage-client.ts';
import { createImportRun, finishImportRun, saveProgress, type ImportRun } from '../domain/import/import-runs.ts';
import { importStatuspage, type ImportProgress } from '../domain/import/statuspage-import.ts';
import { summaryToKeep } from '../domain/import/import-summary.ts';
import { getOutbound } from './outbound-http.ts';
import { logger } from './logger.ts';

/** A whole Statuspage list page is well under this; a bigger answer is not a Statuspage page. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
const NO_BODY = new Set([101, 204, 205, 304]);

/** fetch, for the importer, through the outbound guard. Refusals are final; other failures are retried. */
export function guardedFetch(policy = outboundPolicy()): FetchLike {
  return async (url, init) => {
    const result = await getOutbound(url, init.headers, {
      policy,
      connectTimeoutMs: 10_000,
      totalTimeoutMs: 120_000,
      maxResponseBytes: MAX_ANSWER_BYTES,
    });
    if (result.kind === 'refused') throw new SourceError(`${new URL(url).origin}: ${result.reason}`);
    if (result.kind === 'error') throw new Error(result.message);
    if (result.truncated) throw new SourceError(`${url} answered more than 32 MB: is it a Statuspage page?`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(result.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    return new Response(NO_BODY.has(result.status) ? null : result.body, { status: result.status, headers });
  };
}

/**
 * Records the run and starts it; answers at once with the run. The import goes on after the
 * request has been answered, as the admin who started it (the audit says who).
 */
export async function startImportRun(input: unknown, startedBy: number | null): Promise<ImportRun> {
  const db = getDb();
  const { run, target, dryRun } = await createImportRun(db, input, startedBy);
  let last = 0;
  let pending: ImportProgress | null = null;
  const save = (progress: ImportProgress) => {
    pending = progress;
    const now = Date.now();
    if (now - last < 300) return;
    last = now;
    void saveProgress(db, run.id, progress, now).catch(() => {});
  };
  void (async () => {
    try {
      const summary = await importStatuspage(db, {
        target,
        dryRun,
        client: { fetch: guardedFetch() },
        onProgress: save,
      });
      if (pending) await saveProgress(db, run.id, pending);
      await finishImportRun(db, run.id, { summary: summaryToKeep(summary) });
    } catch (error) {
      const message =
        error instanceof InputError ? error.message : 'The import failed unexpectedly; the server log has the details.';
      if (!(error instanceof InputError)) logger.error({ err: error, run: run.id }, 'import failed');
      await finishImportRun(db, run.id, { error: message }).catch(() => {});
    }
  })();
  return run;
}
