// What an import did (or, dry, would do): counts per kind, every item left out and why, every
// caveat. Printed by the CLI one "key: value" per line, kept by the admin's runs as JSON.
import { ITEM_KINDS, type ImportNote, type ItemKind } from './statuspage-types.ts';

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export interface ImportSummary {
  source: string;
  mode: 'public' | 'full';
  dryRun: boolean;
  page: { name: string; url: string | null; nameApplied: boolean };
  counts: Record<ItemKind, KindCounts>;
  skipped: ImportNote[];
  warnings: ImportNote[];
  /** A dry run's list of what it would create and update (empty otherwise). */
  planned: (ImportNote & { action: 'create' | 'update' })[];
  /** Component status changes derived from the imported updates (uptime and the 90-day bars). */
  history: { components: number; changes: number };
  requests: number;
  retries: number;
}

export function emptySummary(source: string, mode: 'public' | 'full', dryRun: boolean): ImportSummary {
  return {
    source,
    mode,
    dryRun,
    page: { name: '', url: null, nameApplied: false },
    counts: Object.fromEntries(
      ITEM_KINDS.map((k) => [k, { created: 0, updated: 0, unchanged: 0, skipped: 0 }]),
    ) as Record<ItemKind, KindCounts>,
    skipped: [],
    warnings: [],
    planned: [],
    history: { components: 0, changes: 0 },
    requests: 0,
    retries: 0,
  };
}

const PLURAL: Record<ItemKind, string> = {
  group: 'groups',
  component: 'components',
  incident: 'incidents',
  maintenance: 'maintenances',
  subscriber: 'subscribers',
};

const describe = (n: ImportNote) => `${n.kind} ${n.sourceId}${n.name ? ` (${n.name})` : ''}: ${n.message}`;

export function formatSummary(s: ImportSummary): string {
  const verb = s.dryRun ? 'would be ' : '';
  const lines = [
    `source: ${s.source}`,
    `mode: ${s.mode}`,
    `dry run: ${s.dryRun ? 'yes (nothing was written)' : 'no'}`,
    `page: ${s.page.name}${s.page.url ? ` <${s.page.url}>` : ''}${s.page.nameApplied ? ` (${verb}used as this page's name)` : ''}`,
  ];
  for (const kind of ITEM_KINDS) {
    const c = s.counts[kind];
    lines.push(
      `${PLURAL[kind]}: ${c.created} ${verb}created, ${c.updated} ${verb}updated, ${c.unchanged} unchanged, ${c.skipped} skipped`,
    );
  }
  if (!s.dryRun) lines.push(`status history: ${s.history.changes} changes on ${s.history.components} components`);
  lines.push(`requests: ${s.requests} (${s.retries} retried)`);
  for (const n of s.planned) lines.push(`would ${n.action}: ${n.kind} ${n.sourceId}${n.name ? ` (${n.name})` : ''}`);
  for (const n of s.skipped) lines.push(`skipped: ${describe(n)}`);
  for (const n of s.warnings) lines.push(`warning: ${describe(n)}`);
  return lines.join('\n');
}

/**
 * The summary as the admin keeps it (import_runs): subscribers are named by their Statuspage id
 * only, so no address outlives its owner's erasure in a run's record.
 */
export function summaryToKeep(s: ImportSummary): ImportSummary {
  const anonymous = <T extends ImportNote>(n: T): T => (n.kind === 'subscriber' ? { ...n, name: '' } : n);
  return {
    ...s,
    skipped: s.skipped.map(anonymous),
    warnings: s.warnings.map(anonymous),
    planned: s.planned.map(anonymous),
  };
}
