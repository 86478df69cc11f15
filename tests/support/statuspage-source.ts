// A local stand-in for a Statuspage page, written from Statuspage's public documentation: the
// public documents (/api/v2/summary.json, components.json, incidents.json,
// scheduled-maintenances.json) and the management API (/v1/pages/{page_id}/... with
// "Authorization: OAuth KEY", `page` and `per_page` or `limit` paging, subscribers' pages counted
// from 0), serving one page's data both ways. It can answer 429 with Retry-After, drop a
// connection mid-answer, and its data carries the odd values real pages have (nulls, an update
// status nobody documented, a draft post-mortem, subscribers of every kind and state).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const PAGE_ID = 'p4g3acme';
export const API_KEY = 'test-oauth-key';
const MIN = 60_000;
const HOUR = 60 * MIN;

type Json = Record<string, unknown>;
const iso = (ms: number) => new Date(ms).toISOString();

export interface Fixture {
  page: Json;
  /** Groups then their members, then components outside any group: the page's order. */
  components: Json[];
  groups: Json[];
  /** Newest first, as Statuspage lists them. */
  incidents: Json[];
  maintenances: Json[];
  subscribers: (Json & { state: string })[];
  status: { indicator: string; description: string };
}

interface ComponentDef {
  id: string;
  name: string;
  group: string | null;
}
const GROUPS = [
  { id: 'grp-api', name: 'API', description: 'Public REST API and webhooks' },
  { id: 'grp-dash', name: 'Dashboard', description: null },
];
export const COMPONENTS: ComponentDef[] = [
  { id: 'cmp-rest', name: 'REST API', group: 'grp-api' },
  { id: 'cmp-hooks', name: 'Webhooks', group: 'grp-api' },
  { id: 'cmp-web', name: 'Web app', group: 'grp-dash' },
  { id: 'cmp-mobile', name: 'Mobile app', group: 'grp-dash' },
  { id: 'cmp-cdn', name: 'CDN', group: null },
  { id: 'cmp-mail', name: 'Status emails', group: null },
];
/** How long each historical incident keeps its component down. */
export const OUTAGE_MS = 90 * MIN;
/** Historical incidents (all resolved) plus the one still open. */
export const HISTORY = 120;

/**
 * The page as of `now`: 120 resolved incidents about 17 hours apart (each takes one component
 * down for 90 minutes; every third resolves without naming the component again, as pages often
 * do), one unresolved incident, three maintenances (past, in progress, upcoming) and subscribers.
 */
export function buildFixture(now: number): Fixture {
  const component = (c: ComponentDef, i: number): Json => ({
    id: c.id,
    page_id: PAGE_ID,
    group_id: c.group,
    created_at: iso(now - 200 * 24 * HOUR),
    updated_at: iso(now - HOUR),
    group: false,
    name: c.name,
    description: c.id === 'cmp-mail' ? null : `${c.name} for customers`,
    position: i + 1,
    status: 'operational',
    showcase: true,
    only_show_if_degraded: false,
    automation_email: `component+${c.id}@notifications.statuspage.io`,
    start_date: iso(now - 200 * 24 * HOUR).slice(0, 10),
  });
  const components = COMPONENTS.map(component);
  const byId = new Map(components.map((c) => [c.id as string, c]));
  const affected = (id: string, from: string, to: string) => {
    const c = COMPONENTS.find((x) => x.id === id)!;
    const group = GROUPS.find((g) => g.id === c.group);
    return { code: id, name: group ? `${group.name} - ${c.name}` : c.name, old_status: from, new_status: to };
  };
  const update = (incidentId: string, n: number, status: string, body: string | null, at: number, aff: Json[]) => ({
    id: `${incidentId}-u${n}`,
    incident_id: incidentId,
    status,
    body,
    created_at: iso(at),
    updated_at: iso(at),
    display_at: iso(at),
    affected_components: aff,
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  });
  const incidentBase = (id: string, name: string | null, created: number) => ({
    id,
    name,
    page_id: PAGE_ID,
    shortlink: `https://stspg.io/${id}`,
    created_at: iso(created),
    started_at: iso(created),
    scheduled_for: null,
    scheduled_until: null,
    scheduled_remind_prior: false,
    scheduled_reminded_at: null,
    scheduled_auto_in_progress: false,
    scheduled_auto_completed: false,
    postmortem_body: null,
    postmortem_body_last_updated_at: null,
    postmortem_published_at: null,
    postmortem_ignored: false,
    postmortem_notified_subscribers: false,
    postmortem_notified_twitter: false,
    metadata: {},
  });

  const incidents: Json[] = [];
  const hit = COMPONENTS.slice(0, 4).map((c) => c.id);
  for (let k = 1; k <= HISTORY; k++) {
    const id = `inc${String(k).padStart(4, '0')}`;
    const start = now - (HISTORY + 1 - k) * 17 * HOUR;
    const target = hit[k % hit.length];
    const impact = k % 5 === 0 ? 'critical' : 'major';
    const updates = [
      update(id, 1, 'investigating', `We are investigating errors on ${byId.get(target)!.name} (${k}).`, start, [
        affected(target, 'operational', 'major_outage'),
      ]),
      update(
        id,
        2,
        'identified',
        `The cause of incident ${k} is identified; a fix is being rolled out.`,
        start + 30 * MIN,
        [],
      ),
      update(
        id,
        3,
        'resolved',
        `Incident ${k} is resolved.`,
        start + OUTAGE_MS,
        k % 3 === 0 ? [] : [affected(target, 'major_outage', 'operational')],
      ),
    ];
    const incident: Json = {
      ...incidentBase(id, `Errors on ${byId.get(target)!.name} #${k}`, start),
      status: 'resolved',
      impact,
      impact_override: null,
      updated_at: iso(start + OUTAGE_MS),
      monitoring_at: null,
      resolved_at: iso(start + OUTAGE_MS),
      incident_updates: updates.reverse(),
      components: [byId.get(target)],
    };
    incidents.push(incident);
  }
  // Odd data, as real pages have it.
  const at = (k: number) => incidents[k - 1];
  // Markup in an update: the script must not survive, the emphasis may.
  (at(118).incident_updates as Json[])[2].body =
    'Engineers are <strong>investigating</strong> <script>alert("x")</script>now.';
  // An update status nobody documented.
  (at(117).incident_updates as Json[])[1].status = 'escalated';
  // A published post-mortem, and a draft one that must stay behind.
  Object.assign(at(116), {
    status: 'postmortem',
    postmortem_body: 'A configuration push removed a route.\n\nWe now check routes before pushing.',
    postmortem_published_at: iso(now - 3 * 24 * HOUR),
    postmortem_body_last_updated_at: iso(now - 3 * 24 * HOUR),
  });
  Object.assign(at(115), { postmortem_body: 'DRAFT: internal notes, not for customers.' });
  // Nulls: an impact, an update's text, a name (an old incident, only the management API has it).
  Object.assign(at(114), { impact: null });
  (at(113).incident_updates as Json[])[1].body = null;
  Object.assign(at(3), { name: null });

  // The incident still open: the REST API is slow.
  const openStart = now - 2 * HOUR;
  incidents.push({
    ...incidentBase('inc-open', 'Elevated API latency', openStart),
    status: 'identified',
    impact: 'minor',
    impact_override: null,
    updated_at: iso(openStart + 20 * MIN),
    monitoring_at: null,
    resolved_at: null,
    incident_updates: [
      update(
        'inc-open',
        2,
        'identified',
        'A slow database replica is the cause; we are replacing it.',
        openStart + 20 * MIN,
        [],
      ),
      update('inc-open', 1, 'investigating', 'Some API requests are slow.', openStart, [
        affected('cmp-rest', 'operational', 'degraded_performance'),
      ]),
    ],
    components: [byId.get('cmp-rest')],
  });
  byId.get('cmp-rest')!.status = 'degraded_performance';
  incidents.reverse(); // newest first

  const maintenance = (
    id: string,
    name: string,
    status: string,
    from: number,
    until: number,
    updates: Json[],
  ): Json => ({
    ...incidentBase(id, name, from - 7 * 24 * HOUR),
    status,
    impact: 'maintenance',
    impact_override: null,
    updated_at: iso(updates.length ? Date.parse(updates[0].created_at as string) : from - 7 * 24 * HOUR),
    monitoring_at: null,
    resolved_at: status === 'completed' ? iso(until) : null,
    started_at: iso(from),
    scheduled_for: iso(from),
    scheduled_until: iso(until),
    scheduled_auto_in_progress: true,
    scheduled_auto_completed: true,
    incident_updates: updates,
    components: [byId.get('cmp-cdn')],
  });
  const pastFrom = now - 10 * 24 * HOUR;
  const activeFrom = now - 30 * MIN;
  const maintenances = [
    maintenance('mnt-next', 'Database upgrade', 'scheduled', now + 5 * 24 * HOUR, now + 5 * 24 * HOUR + 2 * HOUR, [
      update('mnt-next', 1, 'scheduled', 'We will upgrade the primary database.', now - 24 * HOUR, []),
    ]),
    maintenance('mnt-now', 'CDN provider switch', 'in_progress', activeFrom, now + 90 * MIN, [
      update('mnt-now', 2, 'in_progress', 'The switch has begun.', activeFrom, [
        affected('cmp-cdn', 'operational', 'under_maintenance'),
      ]),
      update('mnt-now', 1, 'scheduled', 'We are moving to a new CDN provider.', activeFrom - 3 * 24 * HOUR, []),
    ]),
    maintenance('mnt-past', 'Network maintenance', 'completed', pastFrom, pastFrom + HOUR, [
      update('mnt-past', 3, 'completed', 'The maintenance is complete.', pastFrom + HOUR, [
        affected('cmp-cdn', 'under_maintenance', 'operational'),
      ]),
      update('mnt-past', 2, 'in_progress', 'The maintenance has started.', pastFrom, [
        affected('cmp-cdn', 'operational', 'under_maintenance'),
      ]),
      update('mnt-past', 1, 'scheduled', 'Routers will be upgraded.', pastFrom - 7 * 24 * HOUR, []),
    ]),
  ];
  byId.get('cmp-cdn')!.status = 'under_maintenance';

  const groups = GROUPS.map((g, i) => ({
    id: g.id,
    page_id: PAGE_ID,
    name: g.name,
    description: g.description,
    position: i + 1,
    components: COMPONENTS.filter((c) => c.group === g.id).map((c) => c.id),
    created_at: iso(now - 200 * 24 * HOUR),
    updated_at: iso(now - HOUR),
  }));
  // Public components.json lists a group as a component with `group: true`, worst member state.
  const rank = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
  const listed: Json[] = [];
  for (const g of groups) {
    const members = components.filter((c) => c.group_id === g.id);
    const status = members.map((m) => m.status as string).sort((a, b) => rank.indexOf(b) - rank.indexOf(a))[0];
    listed.push({ ...g, group: true, group_id: null, status, showcase: false, only_show_if_degraded: false });
    listed.push(...members);
  }
  listed.push(...components.filter((c) => c.group_id === null));

  const subscriber = (id: string, mode: string, state: string, extra: Json): Json & { state: string } => ({
    id,
    mode,
    skip_confirmation_notification: false,
    quarantined_at: state === 'quarantined' ? iso(now - 24 * HOUR) : null,
    purge_at: null,
    components: COMPONENTS.map((c) => c.id),
    created_at: iso(now - 30 * 24 * HOUR),
    state,
    ...extra,
  });
  const subscribers = [
    subscriber('sub-alice', 'email', 'active', { email: 'Alice@Example.com', components: ['cmp-rest', 'cmp-web'] }),
    subscriber('sub-bob', 'email', 'active', { email: 'bob@example.com' }),
    subscriber('sub-carol', 'email', 'unconfirmed', { email: 'carol@example.com' }),
    subscriber('sub-dave', 'email', 'quarantined', { email: 'dave@example.com' }),
    subscriber('sub-sms', 'sms', 'active', {
      phone_number: '5555550100',
      phone_country: 'US',
      display_phone_number: '+1 555-555-0100',
    }),
    subscriber('sub-slack', 'slack', 'active', { workspace_name: 'acme', obfuscated_channel_name: '#o*****' }),
    subscriber('sub-hook', 'webhook', 'active', {
      endpoint: 'https://hooks.example.net/statuspage',
      email: 'ops@example.net',
    }),
    subscriber('sub-private', 'webhook', 'active', { endpoint: 'http://10.0.0.5/hook', email: 'ops@example.net' }),
    subscriber('sub-erin', 'email', 'active', { email: 'erin@example.com', components: ['cmp-gone'] }),
    subscriber('sub-bad', 'email', 'active', { email: null }),
    ...Array.from({ length: 140 }, (_, i) =>
      subscriber(`sub-many-${i}`, 'email', 'active', { email: `reader${i}@example.org`, components: ['cmp-cdn'] }),
    ),
  ];

  return {
    page: {
      id: PAGE_ID,
      name: 'Acme Cloud Status',
      url: 'https://www.acme.example',
      subdomain: 'acme',
      domain: 'status.acme.example',
      time_zone: 'Etc/UTC',
      created_at: iso(now - 400 * 24 * HOUR),
      updated_at: iso(now - HOUR),
    },
    components: listed,
    groups,
    incidents,
    maintenances,
    subscribers,
    status: { indicator: 'minor', description: 'Minor Service Outage' },
  };
}

export interface SourceServerOptions {
  /** Paths (with query) answered 429 the first time they are asked for. */
  rateLimitOnce?: string[];
  /** Paths (with query) whose first answer breaks off after the headers and a few bytes. */
  dropOnce?: string[];
  retryAfter?: string;
}

export class StatuspageSource {
  fixture: Fixture;
  readonly requests: string[] = [];
  readonly answered = new Map<string, number>();
  #server: http.Server | null = null;
  #once = new Set<string>();
  url = '';
  readonly options: SourceServerOptions;
  constructor(fixture: Fixture, options: SourceServerOptions = {}) {
    this.fixture = fixture;
    this.options = options;
  }

  async start(): Promise<string> {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((ok) => this.#server!.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((ok) => (this.#server ? this.#server.close(() => ok()) : ok()));
  }

  /** Forgets the requests seen and answers the next 429s and dropped connections again. */
  rearm(): void {
    this.#once.clear();
    this.requests.length = 0;
    this.answered.clear();
  }

  /** How many times `pathAndQuery` was answered with data (not 429, not dropped). */
  count(pathAndQuery: string): number {
    return this.answered.get(pathAndQuery) ?? 0;
  }

  #first(kind: string, path: string, list: string[] | undefined): boolean {
    if (!list?.includes(path) || this.#once.has(`${kind}${path}`)) return false;
    this.#once.add(`${kind}${path}`);
    return true;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, 'http://source');
    const path = url.pathname + url.search;
    this.requests.push(path);
    if (this.#first('429', path, this.options.rateLimitOnce)) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': this.options.retryAfter ?? '1' });
      res.end(JSON.stringify({ error: 'Rate limit exceeded' }));
      return;
    }
    const body = this.#route(url, req);
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not found' }));
      return;
    }
    if (body.status !== 200) {
      res.writeHead(body.status, { 'content-type': 'application/json' }).end(JSON.stringify(body.json));
      return;
    }
    const text = JSON.stringify(body.json);
    if (this.#first('drop', path, this.options.dropOnce)) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, 20));
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    this.answered.set(path, (this.answered.get(path) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  }

  /** The public page object of /api/v2 documents. */
  #publicPage() {
    const p = this.fixture.page;
    return { id: p.id, name: p.name, url: `https://${p.domain}`, time_zone: p.time_zone, updated_at: p.updated_at };
  }

  #route(url: URL, req: http.IncomingMessage): { status: number; json: unknown } | null {
    const f = this.fixture;
    const ok = (json: unknown) => ({ status: 200, json });
    const unresolved = f.incidents.filter((i) => !['resolved', 'postmortem'].includes(i.status as string));
    // Public documents: only what Statuspage publishes (no draft post-mortems).
    const published = (i: Json) => (i.postmortem_published_at ? i : { ...i, postmortem_body: null });
    switch (url.pathname) {
      case '/api/v2/summary.json':
        return ok({
          page: this.#publicPage(),
          components: f.components,
          incidents: unresolved.map(published),
          scheduled_maintenances: f.maintenances.filter((m) => m.status !== 'completed'),
          status: f.status,
        });
      case '/api/v2/components.json':
        return ok({ page: this.#publicPage(), components: f.components });
      case '/api/v2/incidents.json':
        return ok({ page: this.#publicPage(), incidents: f.incidents.slice(0, 50).map(published) });
      case '/api/v2/scheduled-maintenances.json':
        return ok({ page: this.#publicPage(), scheduled_maintenances: f.maintenances.slice(0, 50) });
    }
    const prefix = `/v1/pages/${PAGE_ID}`;
    if (!url.pathname.startsWith('/v1/')) return null;
    if (req.headers.authorization !== `OAuth ${API_KEY}`)
      return { status: 401, json: { error: 'Could not authenticate' } };
    const page = (items: unknown[], first: 0 | 1, sizeParam: string, max: number) => {
      const size = Math.min(Number(url.searchParams.get(sizeParam) ?? max) || max, max);
      const n = Number(url.searchParams.get('page') ?? first) - first;
      return ok(items.slice(n * size, (n + 1) * size));
    };
    switch (url.pathname) {
      case prefix:
        return ok(f.page);
      case `${prefix}/components`:
        // The management list has the group entries too (group: true), as the public one.
        return page(f.components, 1, 'per_page', 100);
      case `${prefix}/component-groups`:
        return page(f.groups, 1, 'per_page', 100);
      case `${prefix}/incidents`:
        return page([...f.incidents, ...f.maintenances], 1, 'limit', 100);
      case `${prefix}/subscribers`: {
        const state = url.searchParams.get('state') ?? 'active';
        const matching = f.subscribers
          .filter((s) => state === 'all' || s.state === state)
          .map(({ state: _s, ...s }) => s);
        return page(matching, 0, 'limit', 100);
      }
    }
    return null;
  }
}
