// Reads a whole Statuspage page into a SourceSnapshot: the public documents of its status site
// (no key: the components, the 50 most recent incidents and maintenances Statuspage publishes),
// or everything through the management API with the page's id and an API key.
import { InputError } from '../errors.ts';
import { isHttpUrl } from '../urls.ts';
import { SourceError, type StatuspageClient } from './statuspage-client.ts';
import { isMaintenance, readComponents, readIncident, readMaintenance, type Notes } from './statuspage-map.ts';
import { readSubscriber, widenFullChoices } from './statuspage-subscribers.ts';
import type { SourceIncident, SourceMaintenance, SourceSnapshot, SourceSubscriber } from './statuspage-types.ts';

export const DEFAULT_API_BASE = 'https://api.statuspage.io';

/** The management API's largest page (its documented maximum for incidents and subscribers). */
export const PER_PAGE = 100;

export type ImportTarget =
  { mode: 'public'; url: string } | { mode: 'full'; pageId: string; apiKey: string; apiBase?: string };

export type FetchProgress = (step: string, items: number) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function field(body: unknown, key: string, url: string): unknown[] {
  const value = isObject(body) ? body[key] : undefined;
  if (!Array.isArray(value)) throw new SourceError(`${url} has no "${key}" list: is it a Statuspage page?`);
  return value as unknown[];
}

/** Checks what the user typed before any request is made. */
export function checkTarget(target: ImportTarget): void {
  if (target.mode === 'public') {
    if (!isHttpUrl(target.url))
      throw new InputError("--from must be the status page's address, such as https://status.example.com");
    return;
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(target.pageId))
    throw new InputError('--page-id must be the page id Statuspage shows under API info (letters and digits).');
  if (!target.apiKey.trim()) throw new InputError('--api-key is required with --page-id.');
  if (target.apiBase !== undefined && !isHttpUrl(target.apiBase))
    throw new InputError('--api-base must be a web address, such as https://api.statuspage.io');
}

/** Splits the one list Statuspage keeps of both into incidents and maintenances, each id once. */
function sortEvents(
  raw: unknown[],
  notes: Notes,
  now: number,
  into: { incidents: SourceIncident[]; maintenances: SourceMaintenance[] },
) {
  const seen = new Set([...into.incidents, ...into.maintenances].map((i) => i.sourceId));
  for (const item of raw) {
    const id = isObject(item) ? String(item.id ?? '') : '';
    if (id && seen.has(id)) continue;
    seen.add(id);
    if (isObject(item) && isMaintenance(item)) {
      const m = readMaintenance(item, notes, now);
      if (m) into.maintenances.push(m);
    } else {
      const i = readIncident(item, notes);
      if (i) into.incidents.push(i);
    }
  }
}

async function readPublic(
  client: StatuspageClient,
  base: string,
  now: number,
  progress: FetchProgress,
): Promise<SourceSnapshot> {
  const notes: Notes = { skipped: [], warnings: [] };
  const url = (path: string) => new URL(`api/v2/${path}`, base.endsWith('/') ? base : `${base}/`).href;
  const summary = await client.getJson(url('summary.json'));
  const page = isObject(summary) && isObject(summary.page) ? summary.page : null;
  if (!page) throw new SourceError(`${url('summary.json')} has no page: is ${base} a Statuspage page?`);
  progress('page', 1);
  const componentsUrl = url('components.json');
  const { groups, components } = readComponents(
    field(await client.getJson(componentsUrl), 'components', componentsUrl),
    null,
    notes,
  );
  progress('components', components.length + groups.length);
  const events = { incidents: [] as SourceIncident[], maintenances: [] as SourceMaintenance[] };
  const incidentsUrl = url('incidents.json');
  sortEvents(field(await client.getJson(incidentsUrl), 'incidents', incidentsUrl), notes, now, events);
  progress('incidents', events.incidents.length);
  const maintenancesUrl = url('scheduled-maintenances.json');
  sortEvents(
    field(await client.getJson(maintenancesUrl), 'scheduled_maintenances', maintenancesUrl),
    notes,
    now,
    events,
  );
  progress('maintenances', events.maintenances.length);
  return {
    mode: 'public',
    page: {
      id: String(page.id ?? new URL(base).host),
      name: String(page.name ?? ''),
      url: typeof page.url === 'string' ? page.url : base,
    },
    groups,
    components,
    ...events,
    subscribers: [],
    ...notes,
  };
}

async function readFull(
  client: StatuspageClient,
  target: Extract<ImportTarget, { mode: 'full' }>,
  now: number,
  progress: FetchProgress,
): Promise<SourceSnapshot> {
  const notes: Notes = { skipped: [], warnings: [] };
  const base = (target.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  const pageUrl = `${base}/v1/pages/${encodeURIComponent(target.pageId)}`;
  // As Statuspage documents it: the key in the Authorization header, after "OAuth".
  const headers = { authorization: `OAuth ${target.apiKey.trim()}` };
  const page = await client.getJson(pageUrl, headers);
  if (!isObject(page)) throw new SourceError(`${pageUrl} did not answer a page.`);
  progress('page', 1);
  const paged = { perPage: PER_PAGE, sizeParam: 'per_page', firstPage: 1 } as const;
  let count = 0;
  const counting = (step: string) => (n: number) => progress(step, (count += n));
  const rawComponents = await client.getAllPages(`${pageUrl}/components`, headers, paged, counting('components'));
  count = 0;
  const rawGroups = await client.getAllPages(
    `${pageUrl}/component-groups`,
    headers,
    paged,
    counting('component groups'),
  );
  // The group entries of the components list are described by component-groups instead.
  const { groups, components } = readComponents(
    rawComponents.filter((c) => !(isObject(c) && c.group === true)),
    rawGroups,
    notes,
  );
  count = 0;
  const rawIncidents = await client.getAllPages(
    `${pageUrl}/incidents`,
    headers,
    { perPage: PER_PAGE, sizeParam: 'limit', firstPage: 1 },
    counting('incidents'),
  );
  const events = { incidents: [] as SourceIncident[], maintenances: [] as SourceMaintenance[] };
  sortEvents(rawIncidents, notes, now, events);
  // Subscribers: the confirmed ("active") ones are imported; the others are listed as left out.
  const subscribers: SourceSubscriber[] = [];
  for (const state of ['active', 'unconfirmed', 'quarantined']) {
    count = 0;
    const url = `${pageUrl}/subscribers?state=${state}`;
    const raw = await client.getAllPages(
      url,
      headers,
      { perPage: PER_PAGE, sizeParam: 'limit', firstPage: 0 },
      counting(`subscribers (${state})`),
    );
    for (const s of raw) {
      const read = readSubscriber(s, state, notes);
      if (read) subscribers.push(read);
    }
  }
  widenFullChoices(
    subscribers,
    components.map((c) => c.sourceId),
  );
  return {
    mode: 'full',
    page: {
      id: target.pageId,
      name: typeof page.name === 'string' ? page.name : '',
      url: typeof page.url === 'string' && page.url ? page.url : null,
    },
    groups,
    components,
    ...events,
    subscribers,
    ...notes,
  };
}

export async function readSource(
  client: StatuspageClient,
  target: ImportTarget,
  now: number,
  progress: FetchProgress = () => {},
): Promise<SourceSnapshot> {
  checkTarget(target);
  return target.mode === 'public'
    ? readPublic(client, target.url, now, progress)
    : readFull(client, target, now, progress);
}
