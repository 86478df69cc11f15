// Post-incident reviews and public RCAs: the computed figures, the lint, the reduction and the
// workflow rules, on a real migrated libSQL file.
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema/index.ts';
import type { Db } from '../src/db/client.ts';
import { createComponent } from '../src/domain/components.ts';
import { ForbiddenError, InputError, NotFoundError } from '../src/domain/errors.ts';
import { createIncident, postIncidentUpdate } from '../src/domain/incidents.ts';
import { saveActionItem } from '../src/domain/rca/commitments.ts';
import { GLOSSARY, lintDraft, type LintContext, type LintRule } from '../src/domain/rca/lint.ts';
import { computeMetrics, momentOrderProblems } from '../src/domain/rca/metrics.ts';
import { getPostmortem, rcaStatusForIncident } from '../src/domain/rca/postmortems.ts';
import { currentSources, detectDrift } from '../src/domain/rca/reduce.ts';
import { effectiveDeadlines } from '../src/domain/rca/deadlines.ts';
import {
  deleteChild,
  loadReview,
  requestReview,
  saveFactor,
  saveTimelineEntry,
  updateReview,
} from '../src/domain/rca/reviews.ts';
import { allowedDowntimeMs, slaImpact } from '../src/domain/rca/sla.ts';
import { renderTimelineSvg, reviewTimelineSvg } from '../src/domain/rca/timeline-svg.ts';
import {
  approve,
  assignOwner,
  checkReview,
  draftHash,
  latestRevisionSources,
  publish,
  reduceToDraft,
  requestChanges,
  saveDraft,
  submitForReview,
} from '../src/domain/rca/workflow.ts';
import { runRcaAction, runReviewAction } from '../src/web/review-forms.ts';
import { freshDb } from './support/db.ts';
import type { Role } from '../src/domain/auth/roles.ts';
import { EVERYTHING } from '../src/domain/audiences/visibility.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 3, 14, 5); // 3 Nov 2026 14:05 UTC

describe('key moments', () => {
  test('TTA, TTR and the three phases come from the moments', () => {
    const m = {
      startedAt: T0,
      detectedAt: T0 + 7 * MIN,
      acknowledgedAt: T0 + 10 * MIN,
      mitigatedAt: T0 + 52 * MIN,
      resolvedAt: T0 + 87 * MIN,
    };
    const metrics = computeMetrics(m, T0 + 15 * MIN);
    expect(metrics.ttaMs).toBe(3 * MIN);
    expect(metrics.ttrMs).toBe(87 * MIN);
    expect(metrics.firstWordMs).toBe(8 * MIN);
    expect(metrics.phases.map((p) => [p.name, (p.to - p.from) / MIN])).toEqual([
      ['detection', 7],
      ['response', 45],
      ['remediation', 35],
    ]);
    expect([metrics.detectionMs, metrics.responseMs, metrics.remediationMs]).toEqual([7 * MIN, 45 * MIN, 35 * MIN]);
    expect(momentOrderProblems(m)).toEqual([]);
  });

  test('missing moments leave their figures empty; moments out of order are named', () => {
    const metrics = computeMetrics(
      { startedAt: T0, detectedAt: null, acknowledgedAt: null, mitigatedAt: null, resolvedAt: T0 + HOUR },
      null,
    );
    expect(metrics.ttaMs).toBeNull();
    expect(metrics.ttrMs).toBe(HOUR);
    expect(metrics.phases).toEqual([]);
    expect([metrics.detectionMs, metrics.responseMs, metrics.remediationMs]).toEqual([null, null, null]);
    const problems = momentOrderProblems({
      startedAt: T0,
      detectedAt: T0 - MIN,
      acknowledgedAt: null,
      mitigatedAt: null,
      resolvedAt: T0 + HOUR,
    });
    expect(problems).toEqual(['detectedAt: detected cannot be before started (impact began)']);
  });
});

describe('deadlines', () => {
  test('expected for Sev1/Sev2, broken SLAs and new failure modes; overdue only until published', () => {
    const resolvedAt = T0 + HOUR;
    const review = {
      severity: 'sev4' as const,
      rcaDueAt: null,
      resolvedAt,
      state: 'drafting' as const,
      newFailureMode: false,
      publishedAt: null,
    };
    expect(effectiveDeadlines(review, false, T0).expected).toBe(false);
    expect(effectiveDeadlines(review, false, T0).publishDueAt).toBeNull();
    expect(effectiveDeadlines(review, true, T0).publishDueAt).toBe(resolvedAt + 7 * 24 * HOUR);
    expect(effectiveDeadlines({ ...review, newFailureMode: true }, false, T0).draftDueAt).toBe(resolvedAt + 36 * HOUR);
    const late = resolvedAt + 8 * 24 * HOUR;
    expect(effectiveDeadlines({ ...review, severity: 'sev1' }, false, late).publishOverdue).toBe(true);
    expect(
      effectiveDeadlines({ ...review, severity: 'sev1', publishedAt: late - HOUR }, false, late).publishOverdue,
    ).toBe(false);
    // an explicit date wins, even where no review is expected
    expect(effectiveDeadlines({ ...review, rcaDueAt: T0 + 2 * HOUR }, false, T0 + 3 * HOUR)).toMatchObject({
      publishDueAt: T0 + 2 * HOUR,
      publishOverdue: true,
    });
  });
});

describe('SLA impact', () => {
  test('a month with 87 minutes of major outage breaks three nines but not two and a half', () => {
    const monthStart = Date.UTC(2026, 10, 1);
    const history = [
      { status: 'operational' as const, changedAt: monthStart - 10 * 24 * HOUR },
      { status: 'major_outage' as const, changedAt: T0 },
      { status: 'operational' as const, changedAt: T0 + 87 * MIN },
    ];
    const endOfMonth = Date.UTC(2026, 11, 1);
    const three = slaImpact({ id: 1, name: 'API', slaTarget: 99.9 }, history, T0, endOfMonth + HOUR);
    expect(three.month).toBe('2026-11');
    expect(three.downtimeMs).toBe(87 * MIN);
    expect(three.achieved).toBeCloseTo(100 - (87 * MIN * 100) / (30 * 24 * HOUR), 6);
    expect(Math.round(three.allowedMs / MIN)).toBe(43);
    expect(three.breached).toBe(true);
    expect(slaImpact({ id: 1, name: 'API', slaTarget: 99.5 }, history, T0, endOfMonth).breached).toBe(false);
    // 99.9 % is about 8.8 hours a year, 99.999 % about 5 minutes (RCA-GUIDE.md §2)
    expect(allowedDowntimeMs(99.9, 365 * 24 * HOUR) / HOUR).toBeCloseTo(8.76, 2);
    expect(allowedDowntimeMs(99.999, 365 * 24 * HOUR) / MIN).toBeCloseTo(5.26, 2);
  });
});

const lintCtx = (over: Partial<LintContext> = {}): LintContext => ({
  glossary: GLOSSARY,
  people: ['Maria Keller', 'Deploy bot', 'Jonas Weber'],
  startedAt: T0,
  resolvedAt: T0 + 87 * MIN,
  times: [T0, T0 + 7 * MIN, T0 + 15 * MIN, T0 + 52 * MIN, T0 + 87 * MIN],
  durations: [87 * MIN, 7 * MIN, 45 * MIN, 35 * MIN],
  committedActions: 1,
  ...over,
});

const CLEAN = {
  title: 'Post-incident report: API errors in Europe',
  summary:
    'On 3 Nov 2026, between 14:05 and 15:32 UTC (1 h 27 min), the API and the Dashboard were unavailable for customers in our Frankfurt region. Other services were not affected. We are sorry: for almost an hour and a half you could not manage your resources.',
  wrong:
    'One of the two fiber paths between our Paris and Frankfurt regions was cut. The second path was out of service for planned work at the same time, so traffic had no route. Our planning did not check that planned work left a spare path.',
  response:
    '- **14:12 UTC** — Our monitoring alerted us to the problem.\n- **14:20 UTC** — We posted the first update on this status page.\n- **14:57 UTC** — The impact was mitigated.\n- **15:32 UTC** — Service was fully restored.',
  doing: '- **Prevent:** Planned work on one path is now blocked while the other is degraded (by 15 Dec 2026).',
  recommendations:
    'Spreading workloads across two regions, as described in https://docs.example.com/guides/multi-region, keeps them running during a regional outage.',
};

function rulesOf(text: string, ctx = lintCtx(), section: keyof typeof CLEAN = 'wrong'): LintRule[] {
  return lintDraft({ ...CLEAN, [section]: text }, ctx).map((f) => f.rule);
}

describe('lint', () => {
  test('the realistic internal draft is flagged, with the glossary wording as the fix', () => {
    const findings = lintDraft(
      { ...CLEAN, wrong: 'L514 experienced a cut while L528 was shifted for an XLA replacement.' },
      lintCtx(),
    );
    expect(findings.map((f) => [f.rule, f.match, f.severity])).toEqual([
      ['glossary', 'L514', 'error'],
      ['glossary', 'L528', 'error'],
      ['glossary', 'XLA', 'error'],
    ]);
    expect(findings[0].suggestion).toBe('one of the two fiber paths between our Paris and Frankfurt regions');
  });

  test('a clean customer-facing text passes with no finding at all', () => {
    expect(lintDraft({ ...CLEAN, recommendations: CLEAN.recommendations }, lintCtx())).toEqual([]);
  });

  test.each([
    ['internal-id', 'The controller W12-VCAR-101 and the switch R17 failed.'],
    ['ticket', 'Tracked in OPS-1234.'],
    ['hostname', 'The database db-prod-03.fra.internal stopped.'],
    ['hostname', 'The host web-17 stopped.'],
    ['ip', 'Traffic to 10.20.30.40 was dropped.'],
    ['ip', 'Traffic to fd00:12:ab::1 was dropped.'],
    ['path', 'A bad value in /etc/haproxy/haproxy.cfg stopped it.'],
    ['path', 'A bad value in routes.yaml stopped it.'],
    ['person', 'Maria restarted the service.'],
    ['person', 'Jonas Weber restarted the service.'],
    ['team', 'The storage team restarted the service.'],
    ['team', 'Our SRE restarted the service.'],
    ['blame', 'This was a human error.'],
    ['blame', "It was our provider's fault."],
    ['hindsight', 'We should have seen it coming.'],
    ['minimising', 'Only 0.1% of requests failed.'],
    ['minimising', 'Uptime was still 99.87% this month.'],
    ['apology', 'We apologise for any inconvenience.'],
  ] as [LintRule, string][])('%s: "%s"', (rule, text) => {
    expect([...new Set(rulesOf(text))]).toEqual([rule]);
  });

  test('times and durations are checked against the record, and given in UTC', () => {
    expect(rulesOf('We restored service at 16:10 UTC.', lintCtx(), 'response')).toEqual(['time-mismatch']);
    expect(rulesOf('At 14:12 CET our monitoring alerted us.', lintCtx(), 'response')).toEqual(['timezone']);
    expect(rulesOf('At 14:12 our monitoring alerted us.', lintCtx(), 'wrong')).toEqual(['timezone']);
    expect(rulesOf('Between 14:05 and 15:32 UTC the API was down for 3 hours.', lintCtx(), 'summary')).toEqual([
      'duration-mismatch',
    ]);
    // rounded to the hour is fine when the figure is given in hours
    expect(
      rulesOf('Between 14:05 and 15:32 UTC, about 1 hour and 30 minutes, the API was down.', lintCtx(), 'summary'),
    ).toEqual(['duration-mismatch']);
    expect(rulesOf('Between 14:05 and 15:32 UTC, about 87 minutes, the API was down.', lintCtx(), 'summary')).toEqual(
      [],
    );
    expect(rulesOf('Between 14:05 and 15:32 UTC, for about 1 hour, the API was down.', lintCtx(), 'summary')).toEqual(
      [],
    );
    const missing = lintDraft({ ...CLEAN, summary: 'The API was down on 3 Nov 2026 from 14:05 UTC.' }, lintCtx());
    expect(missing.map((f) => [f.rule, f.suggestion])).toEqual([['missing-time', '15:32 UTC']]);
  });

  test('an RCA without a committed action item or a required section cannot pass', () => {
    expect(lintDraft(CLEAN, lintCtx({ committedActions: 0 })).map((f) => f.rule)).toEqual(['no-commitment']);
    expect(lintDraft({ ...CLEAN, doing: '  ' }, lintCtx()).map((f) => [f.rule, f.section])).toEqual([
      ['empty-section', 'doing'],
    ]);
  });
});

describe('timeline picture', () => {
  test('plots every entry coloured and shaped by effect, with the phases marked', () => {
    const svg = renderTimelineSvg(
      [
        { at: T0 + 7 * MIN, endAt: null, kind: 'detection', effect: 'positive', label: 'Alert fired' },
        {
          at: T0 + 20 * MIN,
          endAt: T0 + 40 * MIN,
          kind: 'response',
          effect: 'negative',
          label: 'Rolled back the <wrong> release',
        },
        { at: T0 + 45 * MIN, endAt: null, kind: 'decision', effect: 'neutral', label: 'Decided to reroute' },
      ],
      computeMetrics(
        {
          startedAt: T0,
          detectedAt: T0 + 7 * MIN,
          acknowledgedAt: null,
          mitigatedAt: T0 + 52 * MIN,
          resolvedAt: T0 + 87 * MIN,
        },
        null,
      ).phases,
      'Timeline',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/data-effect="(\w+)"/g)).toEqual([
      'data-effect="positive"',
      'data-effect="negative"',
      'data-effect="neutral"',
    ]);
    for (const phase of ['Detection', 'Response', 'Remediation']) expect(svg).toContain(`>${phase}</text>`);
    expect(svg).toContain('Rolled back the &lt;wrong&gt; release');
    expect(svg).not.toContain('<wrong>');
    expect(svg).toContain('>14:30</text>');
  });
});

// ---------------------------------------------------------------- workflow on a database

let db: Db;

async function user(name: string, role: Role): Promise<{ id: number; name: string }> {
  const [row] = await db
    .insert(schema.users)
    .values({ email: `${name.split(' ')[0].toLowerCase()}@example.com`, name, role, passwordHash: 'x' })
    .returning();
  return { id: row.id, name: row.name };
}

/** An incident on two components, resolved after 87 minutes, with a review filled in. */
async function reviewedIncident() {
  const api = await createComponent(db, { name: 'API' }, { now: T0 - 30 * 24 * HOUR });
  const dash = await createComponent(db, { name: 'Dashboard' }, { now: T0 - 30 * 24 * HOUR });
  await createComponent(db, { name: 'Webhooks' }, { now: T0 - 30 * 24 * HOUR });
  const staff = { id: null, name: 'Support' };
  const incident = await createIncident(
    db,
    {
      title: 'API errors in Europe',
      impact: 'major',
      message: 'We are investigating errors.',
      components: { [api.id]: 'major_outage', [dash.id]: 'partial_outage' },
      startedAt: new Date(T0).toISOString(),
    },
    staff,
    T0 + 15 * MIN,
  );
  await postIncidentUpdate(
    db,
    incident.id,
    {
      status: 'resolved',
      message: 'Resolved.',
      components: { [api.id]: 'operational', [dash.id]: 'operational' },
      displayAt: new Date(T0 + 87 * MIN).toISOString(),
    },
    staff,
    T0 + 87 * MIN,
  );
  const owner = await user('Maria Keller', 'author');
  const barRaiser = await user('Ana Lima', 'author');
  const requester = await user('Sam Support', 'support');
  const review = await requestReview(
    db,
    {
      title: 'Fiber cut FRA',
      severity: 'sev2',
      incidentIds: [incident.id],
      requestContext: 'Big customer asked for an RCA',
    },
    requester,
    T0 + 2 * HOUR,
  );
  await updateReview(
    db,
    review.id,
    {
      title: 'Fiber cut FRA',
      severity: 'sev2',
      incidentIds: [incident.id],
      customerImpact: 'Customers in FRA could not reach the API',
      customersAffected: true,
      detectedBy: 'monitoring',
      startedAt: new Date(T0).toISOString(),
      detectedAt: new Date(T0 + 7 * MIN).toISOString(),
      acknowledgedAt: new Date(T0 + 10 * MIN).toISOString(),
      mitigatedAt: new Date(T0 + 52 * MIN).toISOString(),
      resolvedAt: new Date(T0 + 87 * MIN).toISOString(),
      fiveWhys: ['Why no route? Both paths down', 'Why? Planned work on L528'],
      learnings: 'Planned work does not check redundancy',
      rcaDueAt: '',
    },
    owner,
    T0 + 3 * HOUR,
  );
  const at = (m: number) => new Date(T0 + m * MIN).toISOString();
  await saveTimelineEntry(
    db,
    review.id,
    null,
    {
      at: at(7),
      actor: 'Alertmanager',
      kind: 'detection',
      effect: 'positive',
      description: 'BGP alert on L514',
      public: false,
    },
    owner,
  );
  await saveTimelineEntry(
    db,
    review.id,
    null,
    {
      at: at(20),
      endAt: at(40),
      actor: 'Jonas Weber',
      kind: 'response',
      effect: 'negative',
      description: 'Tried to re-enable L528 during XLA swap',
      public: false,
    },
    owner,
  );
  await saveTimelineEntry(
    db,
    review.id,
    null,
    {
      at: at(52),
      actor: 'Maria Keller',
      kind: 'remediation',
      effect: 'positive',
      description: 'Rerouted via AMS',
      public: true,
      publicText: 'We rerouted traffic through our Amsterdam region.',
    },
    owner,
  );
  await saveFactor(
    db,
    review.id,
    null,
    {
      kind: 'trigger',
      description: 'L514 cut by construction',
      public: true,
      publicText: 'One of the two fiber paths between our Paris and Frankfurt regions was cut by construction work.',
    },
    owner,
  );
  await saveFactor(
    db,
    review.id,
    null,
    {
      kind: 'underlying',
      description: 'L528 drained for XLA replacement',
      public: true,
      publicText:
        'The second path was out of service for planned work, and our planning did not check that a spare path remained.',
    },
    owner,
  );
  await saveFactor(
    db,
    review.id,
    null,
    { kind: 'contributing', description: 'Runbook outdated', public: false },
    owner,
  );
  await saveActionItem(
    db,
    review.id,
    null,
    {
      title: 'Block drains when peer degraded',
      owner: 'Jonas Weber',
      priority: 'p1',
      dueAt: '2026-12-15',
      category: 'prevent',
      ticketUrl: 'https://tickets.example/NET-1',
      public: true,
      publicText: 'Planned work on one path is blocked while the other is degraded.',
    },
    owner,
  );
  await saveActionItem(
    db,
    review.id,
    null,
    {
      title: 'Page on single-path state',
      owner: 'Jonas Weber',
      priority: 'p2',
      dueAt: '2026-12-20',
      category: 'detect',
      public: true,
      publicText: 'We are alerted as soon as only one path remains.',
    },
    owner,
  );
  await saveActionItem(
    db,
    review.id,
    null,
    {
      title: 'Update runbook',
      owner: 'Maria Keller',
      priority: 'p3',
      dueAt: '2026-12-01',
      category: 'recover',
      public: false,
    },
    owner,
  );
  return { review, incident, owner, barRaiser, requester, api, dash };
}

describe('reviews and the workflow', () => {
  beforeEach(async () => {
    ({ db } = await freshDb());
  });

  test('the review computes its figures, SLA impact and deadlines from the record', async () => {
    const { review } = await reviewedIncident();
    const view = await loadReview(db, review.id, T0 + 4 * HOUR);
    expect(view.metrics.ttaMs).toBe(3 * MIN);
    expect(view.metrics.ttrMs).toBe(87 * MIN);
    expect(view.firstPublicUpdateAt).toBe(T0 + 15 * MIN);
    expect(view.metrics.firstWordMs).toBe(8 * MIN);
    expect(view.affected.map((a) => [a.name, a.worst])).toEqual([
      ['API', 'major_outage'],
      ['Dashboard', 'partial_outage'],
    ]);
    // components changed state when the first update was posted (14:20), not at the back-dated start
    expect(view.sla.map((s) => [s.name, s.breached, Math.round(s.downtimeMs / MIN)])).toEqual([
      ['API', true, 72],
      ['Dashboard', false, 22],
    ]);
    // Sev2: published within 7 days of resolution, drafted within 36 hours
    expect(view.deadlines.publishDueAt).toBe(T0 + 87 * MIN + 7 * 24 * HOUR);
    expect(view.deadlines.draftDueAt).toBe(T0 + 87 * MIN + 36 * HOUR);
    expect(view.state).toBe('requested');
    expect((await loadReview(db, review.id, T0 + 40 * HOUR)).deadlines.draftOverdue).toBe(true);
  });

  test('bad review input is refused with messages and nothing is written', async () => {
    const { review, owner } = await reviewedIncident();
    await expect(
      updateReview(db, review.id, { title: 'x', severity: 'sev9', incidentIds: [], detectedBy: 'monitoring' }, owner),
    ).rejects.toThrow(/Severity must be one of sev1.*Incidents: choose at least one/);
    await expect(
      updateReview(
        db,
        review.id,
        {
          title: 'x',
          severity: 'sev1',
          incidentIds: [review.incidents[0].id],
          detectedBy: 'monitoring',
          startedAt: new Date(T0).toISOString(),
          resolvedAt: new Date(T0 - MIN).toISOString(),
        },
        owner,
      ),
    ).rejects.toThrow('resolvedAt: resolved cannot be before started');
    await expect(
      saveFactor(db, review.id, null, { kind: 'trigger', description: 'x', public: true }, owner),
    ).rejects.toThrow('Public wording is required when the entry is public');
    const view = await loadReview(db, review.id);
    expect(view.severity).toBe('sev2');
    expect(view.factors).toHaveLength(3);
  });

  test("the review's picture shows its timeline entries and every status-page update of its incidents", async () => {
    const { review } = await reviewedIncident();
    const svg = reviewTimelineSvg(await loadReview(db, review.id, T0 + 4 * HOUR));
    expect(svg).toContain('<title id="tl-title">Timeline of Fiber cut FRA</title>');
    // three entries and two updates, in time order: the first update (14:20) comes after the alert (14:12)
    expect(svg.match(/data-effect="(\w+)"/g)).toEqual(
      ['positive', 'neutral', 'negative', 'positive', 'neutral'].map((e) => `data-effect="${e}"`),
    );
    expect(svg).toContain('Communication · Neutral: Status page: Investigating (API errors in Europe)</title>');
    expect(svg).toContain('Status page: Resolved (API errors in Europe)</title>');
    expect(svg).toContain('BGP alert on L514');
  });

  test('a posted review or RCA form runs its action and says where to go back to; an unknown action is refused', async () => {
    const { review, owner } = await reviewedIncident();
    const form = (fields: [string, string][]) => {
      const data = new FormData();
      for (const [name, value] of fields) data.append(name, value);
      return data;
    };
    expect(
      await runReviewAction(
        db,
        review.id,
        form([
          ['action', 'save-factor'],
          ['kind', 'trigger'],
          ['description', 'Posted factor'],
        ]),
        owner,
      ),
    ).toBe('#factors');
    const posted = (await loadReview(db, review.id)).factors.find((f) => f.description === 'Posted factor')!;
    expect(
      await runReviewAction(
        db,
        review.id,
        form([
          ['action', 'delete-factor'],
          ['childId', String(posted.id)],
        ]),
        owner,
      ),
    ).toBe('#factors');
    await expect(runReviewAction(db, review.id, form([['action', 'delete-entry']]), owner)).rejects.toThrow(
      'Entry must be an id (a whole number from 1)',
    );
    await expect(runReviewAction(db, review.id, form([['action', 'nope']]), owner)).rejects.toThrow(
      new InputError('Unknown action "nope".'),
    );
    expect(
      await runRcaAction(
        db,
        review.id,
        form([
          ['action', 'assign'],
          ['ownerId', String(owner.id)],
        ]),
        owner,
      ),
    ).toBe('saved');
    expect(await runRcaAction(db, review.id, form([['action', 'reduce']]), owner)).toBe('drafted');
    await expect(runRcaAction(db, review.id, form([['action', 'nope']]), owner)).rejects.toThrow(
      'Unknown action "nope".',
    );
    expect((await loadReview(db, review.id)).state).toBe('drafting');
  });

  test('a missing review, child or incident is a NotFoundError naming its kind, in the words it always used', async () => {
    const { review, owner } = await reviewedIncident();
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (e: unknown) => (e instanceof NotFoundError ? [e.entity, e.message, e.status] : e),
      );
    expect(await refusal(loadReview(db, 999))).toEqual(['review', 'No review with id 999.', 404]);
    expect(await refusal(deleteChild(db, review.id, 'factor', 999, owner))).toEqual([
      'contributing factor',
      `No contributing factor with id 999 in review ${review.id}.`,
      404,
    ]);
    expect(
      await refusal(
        saveActionItem(
          db,
          review.id,
          998,
          { title: 't', owner: 'o', priority: 'p1', dueAt: '2026-12-15', category: 'prevent' },
          owner,
        ),
      ),
    ).toEqual(['action item', `No action item with id 998 in review ${review.id}.`, 404]);
    const input = { title: 'x', severity: 'sev1', incidentIds: [997, 998], detectedBy: 'monitoring' };
    expect(await refusal(updateReview(db, review.id, input, owner))).toEqual([
      'incident',
      'No incident with id 997, 998.',
      404,
    ]);
  });

  test('reduce drafts every section from the record and only public material', async () => {
    const { review, owner } = await reviewedIncident();
    await assignOwner(db, review.id, { ownerId: owner.id }, owner);
    await reduceToDraft(db, review.id, owner, T0 + 5 * HOUR);
    const view = await loadReview(db, review.id, T0 + 5 * HOUR);
    expect(view.state).toBe('drafting');
    expect(view.draft.title).toBe('Post-incident report: API errors in Europe');
    expect(view.draft.summary).toBe(
      'On 3 Nov 2026, between 14:05 and 15:32 UTC (1 h 27 min), API was unavailable and Dashboard was partly unavailable. Other services were not affected.',
    );
    expect(view.draft.wrong.split('\n\n')).toEqual([
      'One of the two fiber paths between our Paris and Frankfurt regions was cut by construction work.',
      'The second path was out of service for planned work, and our planning did not check that a spare path remained.',
    ]);
    expect(view.draft.response).toBe(
      [
        '- **14:12 UTC** — Our monitoring alerted us to the problem.',
        '- **14:20 UTC** — We posted the first update on this status page.',
        '- **14:57 UTC** — We rerouted traffic through our Amsterdam region.',
        '- **14:57 UTC** — The impact was mitigated.',
        '- **15:32 UTC** — Service was fully restored and the incident resolved.',
      ].join('\n'),
    );
    expect(view.draft.doing).toBe(
      '- **Prevent:** Planned work on one path is blocked while the other is degraded. (by 15 Dec 2026)\n- **Detect sooner:** We are alerted as soon as only one path remains. (by 20 Dec 2026)',
    );
    const all = Object.values(view.draft).join('\n');
    for (const internal of ['L514', 'L528', 'XLA', 'Jonas', 'Runbook', 'Alertmanager', 'NET-1', 'Big customer', 'FRA'])
      expect(all).not.toContain(internal);
    const checks = checkReview(view, null);
    expect(checks.findings).toEqual([]);
    expect(checks.drift).toEqual([]);
    // each section remembers where it came from
    expect(
      Object.fromEntries(
        Object.entries(view.draftSources as object).map(([k, v]) => [k, (v as { ref: string }[]).map((s) => s.ref)]),
      ),
    ).toMatchObject({
      wrong: [expect.stringMatching(/^factor:\d+$/), expect.stringMatching(/^factor:\d+$/)],
      doing: [expect.stringMatching(/^action:\d+$/), expect.stringMatching(/^action:\d+$/)],
    });
  });

  test('the bar-raiser is never an author, approves the exact text, and edits need approval again', async () => {
    const { review, owner, barRaiser, requester } = await reviewedIncident();
    await expect(assignOwner(db, review.id, { ownerId: requester.id }, owner)).rejects.toThrow(/cannot write reviews/);
    await assignOwner(db, review.id, { ownerId: owner.id }, requester);
    await reduceToDraft(db, review.id, owner);
    await expect(
      approve(db, review.id, { textHash: draftHash((await loadReview(db, review.id)).draft) }, barRaiser),
    ).rejects.toThrow(/must be "In review"/);
    await submitForReview(db, review.id, owner);
    let view = await loadReview(db, review.id);
    const hash = draftHash(view.draft);
    await expect(approve(db, review.id, { textHash: hash }, owner)).rejects.toThrow(ForbiddenError);
    await expect(approve(db, review.id, { textHash: 'a'.repeat(64) }, barRaiser)).rejects.toThrow(
      /text changed since you opened it/,
    );
    // a co-author who edited the text cannot approve either
    const coAuthor = await user('Chris Co', 'admin');
    await saveDraft(db, review.id, { ...view.draft, recommendations: 'Use two regions.' }, coAuthor);
    view = await loadReview(db, review.id);
    await expect(approve(db, review.id, { textHash: draftHash(view.draft) }, coAuthor)).rejects.toThrow(
      /You wrote or own this RCA/,
    );
    await approve(db, review.id, { textHash: draftHash(view.draft) }, barRaiser);
    view = await loadReview(db, review.id);
    expect(view.state).toBe('approved');
    expect(view.approver?.name).toBe('Ana Lima');
    // any edit after approval withdraws it
    await saveDraft(db, review.id, { ...view.draft, summary: `${view.draft.summary} We are sorry.` }, owner);
    view = await loadReview(db, review.id);
    expect(view.state).toBe('drafting');
    await expect(publish(db, review.id, {}, owner)).rejects.toThrow(/must be "Approved"/);
    expect(view.activity.map((a) => a.action).reverse()).toEqual([
      'requested',
      'edited review',
      'added timeline entry',
      'added timeline entry',
      'added timeline entry',
      'added contributing factor',
      'added contributing factor',
      'added contributing factor',
      'added action item',
      'added action item',
      'added action item',
      'assigned',
      'drafted from review',
      'submitted for review',
      'edited text',
      'approved',
      'approval withdrawn',
      'edited text',
    ]);
    await submitForReview(db, review.id, owner);
    await requestChanges(db, review.id, { comment: 'Say when the next update came' }, barRaiser);
    expect((await loadReview(db, review.id)).state).toBe('drafting');
  });

  test('public wording shown beside the text (timeline picture, commitments) is linted too', async () => {
    const { review, owner, barRaiser } = await reviewedIncident();
    await assignOwner(db, review.id, { ownerId: owner.id }, owner);
    await reduceToDraft(db, review.id, owner);
    // sent for review clean; the record's public wording changes while it waits
    await submitForReview(db, review.id, owner);
    let view = await loadReview(db, review.id);
    const entry = view.timeline.find((e) => e.public)!;
    await saveTimelineEntry(
      db,
      review.id,
      entry.id,
      {
        at: new Date(entry.at).toISOString(),
        actor: entry.actor,
        kind: entry.kind,
        effect: entry.effect,
        description: entry.description,
        public: true,
        publicText: 'Jonas rerouted traffic around L514.',
      },
      owner,
    );
    view = await loadReview(db, review.id);
    expect(view.draft.response).not.toContain('L514');
    const findings = checkReview(view, null).findings;
    expect(findings.map((f) => [f.rule, f.field])).toEqual([
      ['glossary', `Timeline entry #${entry.id} (public wording)`],
      ['person', `Timeline entry #${entry.id} (public wording)`],
    ]);
    await expect(approve(db, review.id, { textHash: draftHash(view.draft) }, barRaiser)).rejects.toThrow(
      /2 lint errors/,
    );
  });

  test('publishing: lint errors block, warnings need an acknowledgement, subscribers are told, minor edits are quiet', async () => {
    const { review, incident, owner, barRaiser } = await reviewedIncident();
    await assignOwner(db, review.id, { ownerId: owner.id }, owner);
    await reduceToDraft(db, review.id, owner);
    let view = await loadReview(db, review.id);
    const approveCurrent = async () => {
      await submitForReview(db, review.id, owner);
      await approve(db, review.id, { textHash: draftHash((await loadReview(db, review.id)).draft) }, barRaiser);
    };
    // an internal name cannot even be sent for review
    await saveDraft(db, review.id, { ...view.draft, wrong: `${view.draft.wrong}\n\nL514 was cut.` }, owner);
    await expect(submitForReview(db, review.id, owner)).rejects.toThrow(/1 lint error\. Fix it first/);
    // a warning can be published with a reason
    await saveDraft(
      db,
      review.id,
      { ...view.draft, summary: `${view.draft.summary} We apologise for any inconvenience.` },
      owner,
    );
    await approveCurrent();
    await expect(publish(db, review.id, {}, owner)).rejects.toThrow(InputError);
    expect(await db.select().from(schema.postmortemRevisions)).toHaveLength(0);
    const first = await publish(
      db,
      review.id,
      { acknowledgement: 'Legal asked for this sentence.' },
      owner,
      T0 + 2 * 24 * HOUR,
    );
    expect(first).toEqual({ slug: '2026-11-03-api-errors-in-europe', revision: 1 });
    const notes = await db.select().from(schema.notifications);
    expect(notes.map((n) => n.kind)).toEqual(['incident.created', 'incident.resolved', 'postmortem.published']);
    expect(JSON.parse(notes[2].payload).postmortem.summary).toContain('between 14:05 and 15:32 UTC');

    const pm = await getPostmortem(db, first.slug, EVERYTHING, T0 + 2 * 24 * HOUR);
    expect(pm!.content.timeline).toEqual([
      {
        at: T0 + 52 * MIN,
        endAt: null,
        kind: 'remediation',
        effect: 'positive',
        text: 'We rerouted traffic through our Amsterdam region.',
      },
    ]);
    expect(pm!.tally).toEqual({ done: 0, dropped: 0, total: 2, overdue: 0 });
    expect(await rcaStatusForIncident(db, incident.id, EVERYTHING)).toMatchObject([
      { kind: 'published', slug: first.slug, tally: { done: 0, total: 2 } },
    ]);

    // republishing needs a change note; a minor one tells nobody
    view = await loadReview(db, review.id);
    await saveDraft(
      db,
      review.id,
      { ...view.draft, summary: view.draft.summary.replace(' We apologise for any inconvenience.', '') },
      owner,
    );
    await approveCurrent();
    await expect(publish(db, review.id, { minor: true }, owner)).rejects.toThrow(
      /Change note is required when republishing/,
    );
    expect(
      await publish(
        db,
        review.id,
        { minor: true, changeNote: 'Removed a boilerplate sentence.' },
        owner,
        T0 + 3 * 24 * HOUR,
      ),
    ).toMatchObject({ revision: 2 });
    expect((await db.select().from(schema.notifications)).map((n) => n.kind)).toHaveLength(3);
    const republished = await getPostmortem(db, first.slug, EVERYTHING);
    expect(republished!.revisions.map((r) => [r.revision, r.changeNote, r.minor])).toEqual([
      [2, 'Removed a boilerplate sentence.', true],
      [1, '', false],
    ]);
  });

  test('commitments: completing or re-dating one is recorded and told; internal changes show as drift', async () => {
    const { review, owner, barRaiser } = await reviewedIncident();
    await assignOwner(db, review.id, { ownerId: owner.id }, owner);
    await reduceToDraft(db, review.id, owner);
    await submitForReview(db, review.id, owner);
    await approve(db, review.id, { textHash: draftHash((await loadReview(db, review.id)).draft) }, barRaiser);
    const { slug } = await publish(db, review.id, {}, owner, T0 + 2 * 24 * HOUR);
    let view = await loadReview(db, review.id);
    const [prevent, detect, internal] = [...view.actions].sort((a, b) => a.id - b.id);
    const fields = (a: typeof prevent) => ({
      title: a.title,
      owner: a.owner,
      priority: a.priority,
      dueAt: new Date(a.dueAt).toISOString(),
      category: a.category,
      ticketUrl: a.ticketUrl,
      public: a.public,
      publicText: a.publicText,
      status: a.status,
    });
    await saveActionItem(db, review.id, prevent.id, { ...fields(prevent), status: 'done' }, owner, T0 + 10 * 24 * HOUR);
    await saveActionItem(
      db,
      review.id,
      detect.id,
      { ...fields(detect), dueAt: '2027-01-10' },
      owner,
      T0 + 11 * 24 * HOUR,
    );
    await saveActionItem(
      db,
      review.id,
      internal.id,
      { ...fields(internal), status: 'done' },
      owner,
      T0 + 11 * 24 * HOUR,
    );
    const kinds = (await db.select().from(schema.notifications)).map((n) => n.kind);
    expect(kinds.filter((k) => k === 'commitment.updated')).toHaveLength(2);
    const changes = await db
      .select()
      .from(schema.reviewActionChanges)
      .where(eq(schema.reviewActionChanges.actionId, detect.id));
    expect(changes.map((c) => [c.field, c.oldValue, c.newValue])).toEqual([
      ['due', String(Date.UTC(2026, 11, 20)), String(Date.UTC(2027, 0, 10))],
    ]);
    const pm = await getPostmortem(db, slug, EVERYTHING, T0 + 12 * 24 * HOUR);
    expect(pm!.tally).toEqual({ done: 1, dropped: 0, total: 2, overdue: 0 });
    expect(pm!.commitments[1]).toMatchObject({
      status: 'open',
      dueAt: Date.UTC(2027, 0, 10),
      originalDueAt: Date.UTC(2026, 11, 20),
    });
    // a published commitment cannot be deleted quietly
    const { deleteChild } = await import('../src/domain/rca/reviews.ts');
    await expect(deleteChild(db, review.id, 'action', prevent.id, owner)).rejects.toThrow(/Dropped/);

    // drift: the published text came from factors and moments that have since changed
    view = await loadReview(db, review.id);
    const trigger = view.factors.find((f) => f.kind === 'trigger')!;
    await saveFactor(
      db,
      review.id,
      trigger.id,
      {
        kind: 'trigger',
        description: trigger.description,
        public: true,
        publicText: 'A fiber path was cut by a contractor.',
      },
      owner,
    );
    await saveFactor(
      db,
      review.id,
      null,
      {
        kind: 'contributing',
        description: 'x',
        public: true,
        publicText: 'Our alerting did not page for a single remaining path.',
      },
      owner,
    );
    view = await loadReview(db, review.id);
    const drift = detectDrift(await latestRevisionSources(db, review.id), currentSources(view));
    expect(drift.map((d) => [d.section, d.change])).toEqual([
      ['wrong', 'changed'],
      ['wrong', 'added'],
      ['doing', 'changed'],
    ]);
  });
});
