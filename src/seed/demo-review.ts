// The demo's post-incident review of the EU database outage: a full internal record (key moments,
// timeline, factors, action items with one commitment slipping) waiting for an owner, so the demo
// shows the review, its figures and picture, and the path to a published RCA.
import type { Db } from '../db/client.ts';
import { isoDay } from '../domain/format.ts';
import { saveActionItem } from '../domain/rca/commitments.ts';
import { requestReview, saveFactor, saveTimelineEntry, updateReview } from '../domain/rca/reviews.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const STAFF = { id: null, name: 'Candor demo' };

export async function seedDemoReview(db: Db, incidentId: number, incidentStart: number, now: number): Promise<void> {
  const t = (minutes: number) => new Date(incidentStart + minutes * MIN).toISOString();
  const review = await requestReview(
    db,
    {
      title: 'EU database outage: L514 cut during L528 XLA swap',
      severity: 'sev1',
      incidentIds: [incidentId],
      requestContext: 'Three enterprise customers asked for an RCA; Acme Corp needs it for their own incident report.',
    },
    STAFF,
    incidentStart + 120 * MIN,
  );
  await updateReview(
    db,
    review.id,
    {
      title: 'EU database outage: L514 cut during L528 XLA swap',
      severity: 'sev1',
      incidentIds: [incidentId],
      customerImpact:
        'Every customer with data in the EU regions: reads and writes failed for 64 minutes, replication lag for 31 more.',
      customersAffected: true,
      detectedBy: 'monitoring',
      startedAt: t(-4),
      detectedAt: t(-1),
      acknowledgedAt: t(3),
      mitigatedAt: t(64),
      resolvedAt: t(95),
      fiveWhys: [
        'Why were EU databases unreachable? Both Paris–Frankfurt paths were down.',
        'Why were both down? L514 was cut while L528 was drained for an XLA replacement.',
        'Why was L528 drained while L514 was the only path? The change process does not check redundancy.',
      ],
      learnings:
        'Our AMS fallback cannot carry FRA load. Aborting planned work was the fastest recovery and the runbook did not mention it.',
    },
    STAFF,
    incidentStart + 121 * MIN,
  );
  const entries = [
    {
      at: t(-1),
      actor: 'Alertmanager',
      kind: 'detection',
      effect: 'positive',
      description: 'BGP session on L514 down; replication alerts for db-eu-1..3',
    },
    {
      at: t(3),
      actor: 'Maria Keller',
      kind: 'response',
      effect: 'neutral',
      description: 'On-call acknowledged the page',
    },
    {
      at: t(14),
      actor: 'Jonas Weber',
      kind: 'decision',
      effect: 'positive',
      description: 'Found L528 drained since 01:00 for the XLA replacement (NET-4411)',
      public: true,
      publicText: 'We found that the second network path was out of service for planned maintenance.',
    },
    {
      at: t(20),
      endAt: t(45),
      actor: 'Jonas Weber',
      kind: 'remediation',
      effect: 'negative',
      description: 'Rerouted via AMS; transit saturated and dropped packets',
    },
    {
      at: t(45),
      endAt: t(64),
      actor: 'Maria Keller',
      kind: 'remediation',
      effect: 'positive',
      description: 'Aborted the XLA swap and brought L528 back',
      public: true,
      publicText: 'We stopped the planned maintenance and brought the second network path back into service.',
    },
    {
      at: t(70),
      endAt: t(95),
      actor: 'Replication',
      kind: 'remediation',
      effect: 'neutral',
      description: 'Replicas caught up with primaries',
    },
  ] as const;
  for (const entry of entries) await saveTimelineEntry(db, review.id, null, entry, STAFF, incidentStart + 122 * MIN);
  const factors = [
    {
      kind: 'trigger',
      description: 'L514 cut by a contractor near Reims',
      public: true,
      publicText: 'Construction work cut one of the two fiber paths between our Paris and Frankfurt regions.',
    },
    {
      kind: 'underlying',
      description: 'L528 drained for the XLA replacement; the change process has no redundancy check',
      public: true,
      publicText:
        'The other path was out of service for planned maintenance at the same time, and our maintenance planning did not check that a spare path remained.',
    },
    {
      kind: 'contributing',
      description: 'AMS transit sized for 30 % of FRA traffic',
      public: true,
      publicText: 'Our fallback route through Amsterdam could not carry all the traffic between the two regions.',
    },
  ] as const;
  for (const factor of factors) await saveFactor(db, review.id, null, factor, STAFF, incidentStart + 123 * MIN);
  const day = (offset: number) => isoDay(now + offset * DAY);
  const actions = [
    {
      title: 'Block drains when the redundant peer is degraded',
      owner: 'Jonas Weber',
      priority: 'p1',
      dueAt: day(-30),
      status: 'done',
      category: 'prevent',
      ticketUrl: 'https://tickets.example.com/NET-4420',
      public: true,
      publicText: 'Planned maintenance on one network path is blocked automatically while the other path is degraded.',
    },
    {
      title: 'Page when a region pair is down to one path',
      owner: 'Priya Nair',
      priority: 'p2',
      dueAt: day(10),
      status: 'in_progress',
      category: 'detect',
      public: true,
      publicText: 'We are alerted as soon as only one network path remains between two regions.',
    },
    {
      title: 'Raise AMS transit to carry full FRA load',
      owner: 'Jonas Weber',
      priority: 'p2',
      dueAt: day(-3),
      status: 'open',
      category: 'recover',
      public: true,
      publicText: 'Our fallback route through Amsterdam will carry all traffic between Paris and Frankfurt.',
    },
    {
      title: 'Add "abort planned work" to the network runbook',
      owner: 'Maria Keller',
      priority: 'p3',
      dueAt: day(20),
      status: 'open',
      category: 'recover',
    },
  ] as const;
  for (const action of actions) await saveActionItem(db, review.id, null, action, STAFF, incidentStart + 124 * MIN);
}
