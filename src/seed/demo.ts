// A realistic demo page: groups, components, 90 days of history with a few past incidents told
// the way Candor wants incidents told (what customers see, what we do, when the next update is).
import type { Db } from '../db/client.ts';
import { createComponent, createGroup } from '../domain/components.ts';
import { createIncident, postIncidentUpdate } from '../domain/incidents.ts';
import type { ComponentState, IncidentStatus } from '../domain/status.ts';
import { seedDemoReview } from './demo-review.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface DemoUpdate {
  after: number; // ms after the incident start
  status: IncidentStatus;
  message: string;
  states?: Record<string, ComponentState>;
}

interface DemoIncident {
  daysAgo: number;
  at: number; // ms into that UTC day
  title: string;
  impact: 'none' | 'minor' | 'major' | 'critical';
  updates: DemoUpdate[];
  /** Seed a post-incident review of it. */
  review?: boolean;
}

const STAFF = { id: null, name: 'Candor demo' };

export async function seedDemo(db: Db, now = Date.now()): Promise<void> {
  const since = now - 95 * DAY;
  const groups = {
    core: await createGroup(
      db,
      { name: 'Core platform', description: 'What your applications call', position: 0 },
      since,
    ),
    data: await createGroup(db, { name: 'Data', description: 'Where your data lives', position: 1 }, since),
    delivery: await createGroup(
      db,
      { name: 'Notifications', description: 'Messages we send on your behalf', position: 2 },
      since,
    ),
  };
  const defs: [string, string, number | null, number][] = [
    ['API', 'REST and GraphQL API in all regions', groups.core.id, 0],
    ['Dashboard', 'The web app at app.example.com', groups.core.id, 1],
    ['Sign-in', 'Login, single sign-on and API keys', groups.core.id, 2],
    ['Database (EU)', 'Managed databases in Frankfurt and Paris', groups.data.id, 0],
    ['Database (US)', 'Managed databases in Virginia and Oregon', groups.data.id, 1],
    ['File storage', 'Uploads and downloads', groups.data.id, 2],
    ['Email delivery', 'Transactional email', groups.delivery.id, 0],
    ['Webhooks', 'Outgoing webhook calls', groups.delivery.id, 1],
    ['Documentation', 'docs.example.com', null, 10],
  ];
  const ids: Record<string, number> = {};
  for (const [name, description, groupId, position] of defs) {
    ids[name] = (await createComponent(db, { name, description, groupId, position }, { now: since })).id;
  }

  const dayStart = (daysAgo: number) => Math.floor((now - daysAgo * DAY) / DAY) * DAY;
  const incidents: DemoIncident[] = [
    {
      daysAgo: 71,
      at: 14 * HOUR + 5 * MIN,
      title: 'Elevated error rates on the API',
      impact: 'major',
      updates: [
        {
          after: 0,
          status: 'investigating',
          message:
            'About one in five API requests fail with HTTP 503. Requests that fail can be retried safely. We are investigating and will update within 30 minutes.',
          states: { API: 'partial_outage' },
        },
        {
          after: 22 * MIN,
          status: 'identified',
          message:
            'A configuration change rolled out to our load balancers at 14:00 UTC removed healthy servers from rotation. We are rolling it back.',
        },
        {
          after: 41 * MIN,
          status: 'monitoring',
          message: 'The rollback is complete and error rates are back to normal. We are watching closely.',
          states: { API: 'operational' },
        },
        {
          after: 70 * MIN,
          status: 'resolved',
          message:
            'The API has been healthy for 30 minutes. Between 14:05 and 14:46 UTC about 20% of API requests failed. A full write-up will follow.',
        },
      ],
    },
    {
      daysAgo: 44,
      at: 3 * HOUR + 40 * MIN,
      title: 'Database (EU) unavailable',
      impact: 'critical',
      review: true,
      updates: [
        {
          after: 0,
          status: 'investigating',
          message:
            'Databases in our EU regions are not accepting connections. Applications reading or writing EU data will fail. We are investigating.',
          states: { 'Database (EU)': 'major_outage', API: 'degraded_performance' },
        },
        {
          after: 18 * MIN,
          status: 'identified',
          message:
            'One of the two network paths between Paris and Frankfurt failed while the other was down for planned work. We are restoring the planned-work path first.',
        },
        {
          after: 64 * MIN,
          status: 'monitoring',
          message:
            'Connectivity is restored and databases accept connections again. Some connections may need to be re-established by your application.',
          states: { 'Database (EU)': 'degraded_performance', API: 'operational' },
        },
        {
          after: 95 * MIN,
          status: 'resolved',
          message:
            'All EU databases are healthy. From 03:40 to 04:44 UTC (64 minutes) EU databases could not be reached. No data was lost.',
          states: { 'Database (EU)': 'operational' },
        },
      ],
    },
    {
      daysAgo: 19,
      at: 9 * HOUR + 12 * MIN,
      title: 'Delayed email delivery',
      impact: 'minor',
      updates: [
        {
          after: 0,
          status: 'investigating',
          message:
            'Transactional emails are delivered with delays of up to 40 minutes. No email is lost; delayed emails are queued. Next update in 30 minutes.',
          states: { 'Email delivery': 'degraded_performance' },
        },
        {
          after: 35 * MIN,
          status: 'monitoring',
          message: 'We added sending capacity and the queue is draining. Delays are now under 5 minutes.',
        },
        {
          after: 80 * MIN,
          status: 'resolved',
          message: 'All queued emails were delivered. Delays occurred between 09:12 and 10:20 UTC.',
          states: { 'Email delivery': 'operational' },
        },
      ],
    },
    {
      daysAgo: 3,
      at: 16 * HOUR + 30 * MIN,
      title: 'Slow uploads to file storage',
      impact: 'minor',
      updates: [
        {
          after: 0,
          status: 'investigating',
          message:
            'Uploads larger than 100 MB are slower than usual and some time out. Downloads are not affected. We are investigating.',
          states: { 'File storage': 'partial_outage' },
        },
        {
          after: 25 * MIN,
          status: 'identified',
          message:
            'A storage node is rebuilding after a disk replacement and slows writes. We are moving upload traffic away from it.',
          states: { 'File storage': 'degraded_performance' },
        },
        {
          after: 60 * MIN,
          status: 'resolved',
          message:
            'Upload speeds are back to normal since 17:25 UTC. Uploads that timed out between 16:30 and 17:25 UTC need to be retried.',
          states: { 'File storage': 'operational' },
        },
      ],
    },
  ];

  const withIds = (states?: Record<string, ComponentState>) =>
    Object.fromEntries(Object.entries(states ?? {}).map(([name, state]) => [String(ids[name]), state]));

  for (const incident of incidents) {
    const start = dayStart(incident.daysAgo) + incident.at;
    const [first, ...rest] = incident.updates;
    const created = await createIncident(
      db,
      {
        title: incident.title,
        impact: incident.impact,
        status: first.status,
        message: first.message,
        components: withIds(first.states),
        startedAt: new Date(start).toISOString(),
        notify: false,
      },
      STAFF,
      start,
    );
    for (const update of rest) {
      const at = start + update.after;
      await postIncidentUpdate(
        db,
        created.id,
        { status: update.status, message: update.message, components: withIds(update.states), notify: false },
        STAFF,
        at,
      );
    }
    if (incident.review) await seedDemoReview(db, created.id, start, now);
  }
}
