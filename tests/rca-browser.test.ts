// From internal review to published RCA through the real server: a browser walks the whole path,
// and a marker in every internal-only field proves none of it reaches a public page, JSON, email
// or webhook.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { formatUtcDay } from '../src/domain/format.ts';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { axeViolations, expectNoCspViolations, launchBrowser, loggedIn } from './support/browser.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, subscribeConfirmed, waitFor } from './support/subscribers.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const MIN = 60_000;
let server: TestServer;
let browser: Browser;
const mock = new ResendMock({ requestsPerSecond: 0 });
const hooks = new WebhookReceiver();
let adminToken: string;
const author = { email: 'maria@example.com', password: '' };
const barRaiser = { email: 'ana@example.com', password: '' };

beforeAll(async () => {
  await mock.start();
  await hooks.start();
  server = await startServer({ env: mailEnv(mock) });
  browser = await launchBrowser();
  adminToken = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root Admin').token;
  author.password = createUserWithToken(server.dbFile, 'author', author.email, 'Maria Keller').password;
  barRaiser.password = createUserWithToken(server.dbFile, 'author', barRaiser.email, 'Ana Lima').password;
  await subscribeConfirmed(server.url, mock, 'reader@example.com', 'all');
});
afterEach(() => expectNoCspViolations(browser));
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await mock.stop();
  await hooks.stop();
});

/** An incident on the API (component 1) that started at a whole minute 30 minutes ago and is resolved now. */
async function resolvedIncident(title: string) {
  const startedAt = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
  const created = await api(server.url, adminToken, 'POST', '/api/v1/incidents', {
    title,
    impact: 'major',
    message: 'We are investigating errors on the API.',
    components: { 1: 'major_outage' },
    startedAt: new Date(startedAt).toISOString(),
  });
  expect(created.status).toBe(201);
  const id = created.body.incident.id as number;
  const resolved = await api(server.url, adminToken, 'POST', `/api/v1/incidents/${id}/updates`, {
    status: 'resolved',
    message: 'The API works again.',
    components: { 1: 'operational' },
  });
  expect(resolved.status).toBe(201);
  return { id, startedAt };
}

const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** The id of the edit form that holds `marker` on an admin review page. */
function childIdBefore(html: string, marker: string): string {
  const before = html.slice(0, html.indexOf(marker));
  return [...before.matchAll(/name="childId" value="(\d+)"/g)].at(-1)![1];
}

describe('RCA in a browser', () => {
  test('request, record, reduce, live lint, bar-raiser approval, publish, public page and email', async () => {
    const { id: incidentId, startedAt } = await resolvedIncident('API errors for EU customers');
    const { context, page } = await loggedIn(browser, server.url, author.email, author.password);

    // Request the RCA from the incident
    await page.goto(`${server.url}/admin/incidents/${incidentId}`);
    await page.click('text=Request an RCA');
    await page.fill('#title', 'API outage review');
    await page.selectOption('#severity', 'sev1');
    expect(await page.isChecked(`#inc-${incidentId}`)).toBe(true);
    await page.fill('#requestContext', 'Several customers asked what happened.');
    await page.click('button:has-text("Request RCA")');
    // (the browser keeps the form's #fragment across the redirect)
    await expect.poll(() => page.url()).toMatch(/\/admin\/reviews\/\d+(#.*)?$/);
    const reviewUrl = page.url().replace(/#.*$/, '');

    // Key moments, then a timeline entry, a factor and an action item
    await page.fill('#r-detectedAt', local(startedAt + 5 * MIN));
    await page.fill('#r-acknowledgedAt', local(startedAt + 8 * MIN));
    await page.fill('#r-mitigatedAt', local(startedAt + 20 * MIN));
    await page.click('button:has-text("Save review")');
    await page.getByText('Saved.').waitFor();
    expect(await page.locator('[data-tta]').innerText()).toBe('3 min');

    await page.click('summary:has-text("Add a timeline entry")');
    await page.fill('#new-entry-at', local(startedAt + 20 * MIN));
    await page.fill('#new-entry-actor', 'Jonas Weber');
    await page.selectOption('#new-entry-kind', 'remediation');
    await page.selectOption('#new-entry-effect', 'positive');
    await page.fill('#new-entry-description', 'Failed over api-eu-3 to the standby');
    await page.check('form:has(#new-entry-at) input[name=public]');
    await page.fill('#new-entry-publicText', 'We moved traffic to standby servers.');
    await page.click('button:has-text("Add entry")');
    await page.getByText('Saved.').waitFor();
    expect(await page.locator('svg.timeline-svg [data-effect="positive"]').count()).toBe(1);
    // the two status-page updates are plotted too
    expect(
      await page.locator('svg.timeline-svg [data-effect="neutral"] title', { hasText: 'Status page:' }).count(),
    ).toBe(2);

    await page.click('summary:has-text("Add a contributing factor")');
    await page.selectOption('#new-factor-kind', 'trigger');
    await page.fill('#new-factor-description', 'Bad config pushed to api-eu-3');
    await page.check('form:has(#new-factor-kind) input[name=public]');
    await page.fill(
      '#new-factor-publicText',
      'A configuration change stopped our API servers in Europe from accepting connections.',
    );
    await page.click('button:has-text("Add factor")');
    await page.getByText('Saved.').waitFor();

    await page.click('summary:has-text("Add an action item")');
    await page.fill('#new-action-title', 'Canary config pushes');
    await page.fill('#new-action-owner', 'Jonas Weber');
    await page.fill('#new-action-dueAt', new Date(Date.now() + 30 * 24 * 60 * MIN).toISOString().slice(0, 10));
    await page.selectOption('#new-action-category', 'prevent');
    await page.check('form:has(#new-action-title) input[name=public]');
    await page.fill(
      '#new-action-publicText',
      'Configuration changes now reach a few servers first and stop on errors.',
    );
    await page.click('button:has-text("Add action item")');
    await page.getByText('Saved.').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The external text: assign, reduce, lint as we type
    await page.click('text=External RCA, lint and approval');
    await page.selectOption('#ownerId', { label: 'Maria Keller (author)' });
    await page.click('button:has-text("Assign")');
    await page.click('[data-reduce]');
    await page.getByText('Drafted from the review').waitFor();
    const summary = await page.inputValue('#s-summary');
    // The record's start, in UTC; a story that crosses midnight UTC names both days.
    const sameDay = local(startedAt).slice(0, 10) === local(Date.now()).slice(0, 10);
    expect(summary).toContain(
      sameDay
        ? `between ${local(startedAt).slice(11)} and`
        : `From ${formatUtcDay(startedAt)} ${local(startedAt).slice(11)} UTC to`,
    );
    expect(summary).toContain('API was unavailable');
    expect(await page.locator('.sources').first().innerText()).toBe(
      'Drafted from: Key moment: started (impact began), Key moment: resolved, Affected components (from the incidents)',
    );
    const wrong = await page.inputValue('#s-wrong');
    await page.fill('#s-wrong', `${wrong} L514 experienced a cut while L528 was shifted for an XLA replacement.`);
    await page.locator('[data-lint-for="wrong"] li', { hasText: 'one of the two fiber paths' }).waitFor();
    expect(await page.locator('[data-lint-for="wrong"] li').count()).toBe(3);
    await page.fill('#s-wrong', wrong);
    await expect.poll(() => page.locator('[data-lint-for="wrong"] li').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.click('button:has-text("Save text")');
    await page.click('button:has-text("Ask for review")');
    await page.getByText('so you cannot approve it').waitFor();
    expect(await page.locator('button:has-text("Approve this text")').count()).toBe(0);

    // The bar-raiser approves the exact text
    const other = await loggedIn(browser, server.url, barRaiser.email, barRaiser.password);
    await other.page.goto(`${reviewUrl}/rca`);
    await other.page.click('button:has-text("Approve this text")');
    await other.page.getByText('Approved. The exact text').waitFor();
    await other.context.close();

    // Publish, then read it as a customer
    await page.goto(`${reviewUrl}/rca`);
    await page.click('button:has-text("Publish and notify subscribers")');
    await page.getByText('Published.').waitFor();
    await page.click('text=Public RCA');
    await expect.poll(() => page.url()).toMatch(/\/postmortems\/[\w-]+$/);
    const rcaUrl = page.url();
    await context.close();

    for (const colorScheme of ['light', 'dark'] as const) {
      const reader = await browser.newPage({ colorScheme, viewport: { width: 375, height: 740 } });
      await reader.goto(rcaUrl);
      expect(await reader.locator('h1').innerText()).toBe('Post-incident report: API errors for EU customers');
      expect(await reader.locator('svg.timeline-svg [data-effect]').count()).toBe(1);
      expect(await reader.locator('svg.timeline-svg').innerHTML()).toContain('We moved traffic to standby servers.');
      expect(await reader.locator('[data-tally]').innerText()).toBe('0 of 1 done');
      expect(await reader.locator('main').innerText()).not.toContain('api-eu-3');
      expect(await axeViolations(reader)).toEqual([]);
      expect(await reader.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await reader.close();
    }
    const incidentPage = await browser.newPage();
    await incidentPage.goto(`${server.url}/incidents/${incidentId}`);
    expect(await incidentPage.locator('[data-rca] a').getAttribute('href')).toBe(new URL(rcaUrl).pathname);
    expect(await incidentPage.locator('[data-rca] [data-tally]').innerText()).toBe('0 of 1 done');
    for (const listing of ['/', '/history']) {
      await incidentPage.goto(server.url + listing);
      expect(await incidentPage.locator(`a[href="${new URL(rcaUrl).pathname}"]`).innerText()).toBe(
        'Read the post-incident report',
      );
    }
    await incidentPage.goto(`${server.url}/postmortems`);
    expect(await incidentPage.locator('main').innerText()).toContain(
      'Post-incident report: API errors for EU customers',
    );
    await incidentPage.close();

    const mail = await waitFor('RCA email', () =>
      mock.emailsTo('reader@example.com').find((m) => m.subject.includes('Post-incident report')),
    );
    expect(mail.text).toContain(`${local(startedAt).slice(11)}`);
    expect(mail.text).toContain(new URL(rcaUrl).pathname);
  });
});

describe('no leaks', () => {
  test('no internal-only field reaches a public page, JSON response, email or webhook', async () => {
    const { id: incidentId, startedAt } = await resolvedIncident('Login failures');
    const admin = await adminSession(
      server.url,
      'hooks@example.com',
      createUserWithToken(server.dbFile, 'admin', 'hooks@example.com', 'Hook Admin').password,
    );
    expect((await admin.post('/admin/subscribers', [['url', `${hooks.url}/rca`]])).status).toBe(303);
    const maria = await adminSession(server.url, author.email, author.password);
    const ana = await adminSession(server.url, barRaiser.email, barRaiser.password);
    const ok = async (answer: Promise<{ status: number; html: string; location: string | null }>) => {
      const r = await answer;
      if (r.status !== 303)
        throw new Error(
          `expected a redirect, got ${r.status}: ${/role="alert"[\s\S]*?<\/div>/.exec(r.html)?.[0] ?? r.html.slice(0, 300)}`,
        );
      return r.location!;
    };
    // Every internal-only value carries "zq9x"; none may ever be seen outside the admin.
    const location = await ok(
      maria.post('/admin/reviews', [
        ['title', 'zq9xReviewTitle'],
        ['severity', 'sev2'],
        ['incidentIds', String(incidentId)],
        ['requestContext', 'zq9xRequestContext'],
      ]),
    );
    const reviewPath = location.replace(/[?#].*$/, '');
    const at = (m: number) => local(startedAt + m * MIN);
    await ok(
      maria.post(reviewPath, [
        ['action', 'update-review'],
        ['title', 'zq9xReviewTitle'],
        ['severity', 'sev2'],
        ['incidentIds', String(incidentId)],
        ['customersAffected', 'on'],
        ['customerImpact', 'zq9xCustomerImpact'],
        ['detectedBy', 'customers'],
        ['startedAt', at(0)],
        ['detectedAt', at(4)],
        ['acknowledgedAt', at(6)],
        ['mitigatedAt', at(15)],
        ['resolvedAt', local(Date.now())],
        ['fiveWhys', 'zq9xWhyOne'],
        ['fiveWhys', 'zq9xWhyTwo'],
        ['learnings', 'zq9xLearnings'],
        ['rcaDueAt', ''],
      ]),
    );
    const entry = (fields: [string, string][]) =>
      ok(
        maria.post(reviewPath, [
          ['action', 'save-entry'],
          ['at', at(10)],
          ['kind', 'response'],
          ['effect', 'negative'],
          ...fields,
        ]),
      );
    await entry([
      ['actor', 'zq9xActorPublic'],
      ['description', 'zq9xEntryPublicDescription'],
      ['public', 'on'],
      ['publicText', 'We restarted the login service.'],
    ]);
    await entry([
      ['actor', 'zq9xActorInternal'],
      ['description', 'zq9xEntryInternal'],
      ['publicText', 'zq9xEntryInternalWording'],
    ]);
    const factor = (fields: [string, string][]) => ok(maria.post(reviewPath, [['action', 'save-factor'], ...fields]));
    await factor([
      ['kind', 'trigger'],
      ['description', 'zq9xFactorPublicDescription'],
      ['public', 'on'],
      ['publicText', 'An expired certificate stopped logins.'],
    ]);
    await factor([
      ['kind', 'underlying'],
      ['description', 'zq9xFactorInternal'],
      ['publicText', 'zq9xFactorInternalWording'],
    ]);
    const due = new Date(Date.now() + 20 * 24 * 60 * MIN).toISOString().slice(0, 10);
    const action = (fields: [string, string][]) =>
      ok(
        maria.post(reviewPath, [
          ['action', 'save-action'],
          ['priority', 'p1'],
          ['dueAt', due],
          ['category', 'detect'],
          ['status', 'open'],
          ...fields,
        ]),
      );
    await action([
      ['title', 'zq9xActionPublicTitle'],
      ['owner', 'zq9xOwnerPublic'],
      ['ticketUrl', 'https://tickets.example/zq9xTicket'],
      ['public', 'on'],
      ['publicText', 'We are alerted weeks before a certificate expires.'],
    ]);
    await action([
      ['title', 'zq9xActionInternalTitle'],
      ['owner', 'zq9xOwnerInternal'],
      ['publicText', 'zq9xActionInternalWording'],
    ]);

    // Sev2 and resolved: readers of the incident learn when to expect the RCA
    const expecting = await (await fetch(`${server.url}/incidents/${incidentId}`)).text();
    expect(expecting).toMatch(/data-rca-expected>A root-cause analysis of this incident is expected by <time/);

    const rca = `${reviewPath}/rca`;
    const owner = /<option value="(\d+)"[^>]*>Maria Keller/.exec((await maria.get(rca)).html)![1];
    await ok(
      maria.post(rca, [
        ['action', 'assign'],
        ['ownerId', owner],
      ]),
    );
    await ok(maria.post(rca, [['action', 'reduce']]));
    const draftPage = (await maria.get(rca)).html;
    const field = (name: string) => {
      const m =
        name === 'title'
          ? /<input id="s-title" name="title" value="([^"]*)"/.exec(draftPage)
          : new RegExp(`<textarea [^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(draftPage);
      return m![1]
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
    };
    const sections = ['title', 'summary', 'wrong', 'response', 'doing', 'recommendations'].map(
      (s) => [s, field(s)] as [string, string],
    );
    expect(sections.map(([, v]) => v).join(' ')).not.toMatch(/zq9x/i);
    // A warning the publisher must acknowledge (the acknowledgement is internal).
    const withWarning = sections.map(
      ([k, v]) => [k, k === 'summary' ? `${v} We apologise for any inconvenience.` : v] as [string, string],
    );
    await ok(maria.post(rca, [['action', 'save-draft'], ...withWarning]));
    await ok(maria.post(rca, [['action', 'submit']]));
    await ok(
      ana.post(rca, [
        ['action', 'request-changes'],
        ['comment', 'zq9xReviewComment'],
      ]),
    );
    await ok(maria.post(rca, [['action', 'submit']]));
    const hash = /name="textHash" value="([0-9a-f]{64})"/.exec((await ana.get(rca)).html)![1];
    expect(
      (
        await maria.post(rca, [
          ['action', 'approve'],
          ['textHash', hash],
        ])
      ).status,
    ).toBe(403);
    await ok(
      ana.post(rca, [
        ['action', 'approve'],
        ['textHash', hash],
      ]),
    );
    expect((await maria.post(rca, [['action', 'publish']])).status).toBe(400);
    await ok(
      maria.post(rca, [
        ['action', 'publish'],
        ['acknowledgement', 'zq9xAcknowledgement for legal'],
      ]),
    );
    const slugFromPage = /href="\/postmortems\/([\w-]+)"/.exec((await maria.get(rca)).html)![1];
    expect(await (await fetch(`${server.url}/postmortems/${slugFromPage}`)).text()).toContain('0 of 1 done');
    // complete the public commitment: customers are told
    const publicAction = childIdBefore((await maria.get(reviewPath)).html, 'value="zq9xActionPublicTitle"');
    await ok(
      maria.post(reviewPath, [
        ['action', 'save-action'],
        ['childId', publicAction],
        ['title', 'zq9xActionPublicTitle'],
        ['owner', 'zq9xOwnerPublic'],
        ['priority', 'p1'],
        ['dueAt', due],
        ['category', 'detect'],
        ['status', 'done'],
        ['ticketUrl', 'https://tickets.example/zq9xTicket'],
        ['public', 'on'],
        ['publicText', 'We are alerted weeks before a certificate expires.'],
      ]),
    );

    const published = await waitFor('RCA webhook', () =>
      hooks.received.find(
        (r) => r.json.event_type === 'postmortem.published' && r.json.postmortem.incidents[0].id === String(incidentId),
      ),
    );
    const commitment = await waitFor('commitment webhook', () =>
      hooks.received.find(
        (r) => r.json.event_type === 'commitment.updated' && r.json.postmortem.id === published.json.postmortem.id,
      ),
    );
    expect(commitment.json.commitment).toMatchObject({
      description: 'We are alerted weeks before a certificate expires.',
      status: 'done',
      previous_status: 'open',
    });
    expect(commitment.json.postmortem.commitments).toEqual({ done: 1, total: 1 });
    const slug = published.json.postmortem.id as string;
    await waitFor('commitment email', () =>
      mock
        .emailsTo('reader@example.com')
        .find((m) => m.subject.startsWith('[') && m.subject.includes('Commitment done')),
    );

    const pages = [
      '/',
      '/history',
      '/postmortems',
      `/postmortems/${slug}`,
      `/incidents/${incidentId}`,
      '/subscribe',
      '/api/v2/summary.json',
      '/api/v2/incidents.json',
    ];
    const bodies: [string, string][] = [];
    for (const path of pages) {
      const r = await fetch(server.url + path);
      expect(r.status, path).toBe(200);
      bodies.push([path, await r.text()]);
    }
    for (const path of ['/api/v1/incidents', `/api/v1/incidents/${incidentId}`, '/api/v1/components'])
      bodies.push([path, JSON.stringify((await api(server.url, adminToken, 'GET', path)).body)]);
    for (const m of mock.emails)
      bodies.push([`email ${m.subject}`, `${m.subject}\n${m.text}\n${m.html}\n${JSON.stringify(m.headers)}`]);
    for (const r of hooks.received) bodies.push([`webhook ${r.json.event_type}`, r.body]);
    expect(bodies.filter(([, body]) => /zq9x/i.test(body)).map(([where]) => where)).toEqual([]);
    // ...while the public wording did go out everywhere it should
    const rcaPage = bodies.find(([p]) => p === `/postmortems/${slug}`)![1];
    for (const text of [
      'We restarted the login service.',
      'An expired certificate stopped logins.',
      'We are alerted weeks before a certificate expires.',
    ])
      expect(rcaPage).toContain(text);
    expect(mock.emailsTo('reader@example.com').map((m) => m.subject)).toEqual(
      expect.arrayContaining(['[Example Cloud] Post-incident report: Login failures']),
    );
    expect(bodies.some(([where]) => where === 'webhook commitment.updated')).toBe(true);
    // the cached public page was dropped when the commitment changed
    expect(rcaPage).toContain('1 of 1 done');

    // A change to the review after publication shows as drift; a republication says what changed.
    const trigger = childIdBefore((await maria.get(reviewPath)).html, 'zq9xFactorPublicDescription</textarea>');
    await ok(
      maria.post(reviewPath, [
        ['action', 'save-factor'],
        ['childId', trigger],
        ['kind', 'trigger'],
        ['description', 'zq9xFactorPublicDescription'],
        ['public', 'on'],
        ['publicText', 'A certificate that our login service depends on expired.'],
      ]),
    );
    const drifted = (await maria.get(rca)).html;
    expect(drifted).toContain('data-drift');
    expect(drifted).toMatch(/What went wrong<\/strong>: Contributing factor #\d+ \(trigger\) — changed/);
    await ok(maria.post(rca, [['action', 'reduce']]));
    await ok(maria.post(rca, [['action', 'submit']]));
    const newHash = /name="textHash" value="([0-9a-f]{64})"/.exec((await ana.get(rca)).html)![1];
    await ok(
      ana.post(rca, [
        ['action', 'approve'],
        ['textHash', newHash],
      ]),
    );
    await ok(
      maria.post(rca, [
        ['action', 'publish'],
        ['changeNote', 'We corrected the cause: it was a certificate our login service depends on.'],
      ]),
    );
    const republished = await (await fetch(`${server.url}/postmortems/${slug}`)).text();
    expect(republished).toMatch(
      /<strong>Updated on <time[^>]*>[^<]+<\/time>:<\/strong> We corrected the cause: it was a certificate our login service depends on\./,
    );
    expect(republished).toContain('A certificate that our login service depends on expired.');
    expect((await maria.get(rca)).html).not.toContain('data-drift');
    const updated = await waitFor('republication email', () =>
      mock
        .emailsTo('reader@example.com')
        .find((m) => m.subject === '[Example Cloud] Updated: Post-incident report: Login failures'),
    );
    expect(updated.text).toContain('What changed: We corrected the cause');
  });
});

describe('review forms', () => {
  test('bad input answers 4xx with what is wrong, keeps what was typed and writes nothing; roles are enforced', async () => {
    const maria = await adminSession(server.url, author.email, author.password);
    const review = '/admin/reviews/1'; // the demo's review
    const before = (await maria.get(review)).html;
    const bad = await maria.post(review, [
      ['action', 'save-entry'],
      ['at', ''],
      ['actor', 'Typed actor'],
      ['kind', 'response'],
      ['effect', 'sideways'],
      ['description', 'Typed description'],
      ['public', 'on'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Time must be a date and time');
    expect(bad.html).toContain('Effect must be one of positive, negative, neutral (got &quot;sideways&quot;)');
    expect(bad.html).toMatch(/<input id="new-entry-actor" name="actor" value="Typed actor"/);
    expect(bad.html).toContain('Typed description</textarea>');
    const noWording = await maria.post(review, [
      ['action', 'save-entry'],
      ['at', '2026-10-09T04:00'],
      ['actor', 'A'],
      ['kind', 'response'],
      ['effect', 'neutral'],
      ['description', 'D'],
      ['public', 'on'],
    ]);
    expect(noWording.status).toBe(400);
    expect(noWording.html).toContain('Public wording is required when the entry is public: write it for customers');
    const order = await maria.post(review, [
      ['action', 'update-review'],
      ['title', 'x'],
      ['severity', 'sev1'],
      ['incidentIds', '2'],
      ['detectedBy', 'monitoring'],
      ['startedAt', '2026-10-09T03:40'],
      ['detectedAt', '2026-10-09T03:30'],
    ]);
    expect(order.status).toBe(400);
    expect(order.html).toContain('detectedAt: detected cannot be before started (impact began)');
    const noFactor = await maria.post(review, [
      ['action', 'delete-factor'],
      ['childId', '999'],
    ]);
    expect(noFactor.status).toBe(404);
    expect(noFactor.html).toContain('No contributing factor with id 999 in review 1.');
    // A review that is gone: saving the review itself answers with the domain's words, a child form with the page's.
    const noReview = await maria.post('/admin/reviews/999', [
      ['action', 'update-review'],
      ['title', 'x'],
      ['severity', 'sev1'],
      ['incidentIds', '2'],
      ['detectedBy', 'monitoring'],
    ]);
    expect([noReview.status, noReview.html]).toEqual([404, 'No review with id 999.']);
    const noReviewChild = await maria.post('/admin/reviews/999', [
      ['action', 'save-factor'],
      ['kind', 'trigger'],
      ['description', 'x'],
    ]);
    expect([noReviewChild.status, noReviewChild.html]).toEqual([404, 'No such review.']);
    const noRca = await maria.post('/admin/reviews/999/rca', [['action', 'submit']]);
    expect([noRca.status, noRca.html]).toEqual([404, 'No review with id 999.']);
    expect(
      (
        await maria.post(`${review}/rca`, [
          ['action', 'approve'],
          ['textHash', 'nope'],
        ])
      ).status,
    ).toBe(400);
    expect((await maria.post(`${review}/rca`, [['action', 'submit']])).html).toContain(
      'Cannot ask for review while the review is &quot;Requested&quot;',
    );
    // nothing was written: the page (apart from the clock-driven parts) is as before
    const after = (await maria.get(review)).html;
    const activity = (html: string) => /<h2>Activity<\/h2>([\s\S]*)<\/ol>/.exec(html)![1];
    expect(activity(after)).toBe(activity(before));

    const support = await adminSession(
      server.url,
      'help@example.com',
      createUserWithToken(server.dbFile, 'support', 'help@example.com', 'Help Desk').password,
    );
    expect(
      (
        await support.post(review, [
          ['action', 'save-factor'],
          ['kind', 'trigger'],
          ['description', 'x'],
        ])
      ).status,
    ).toBe(403);
    expect((await support.post(`${review}/rca`, [['action', 'reduce']])).status).toBe(403);
    expect((await support.get(review)).status).toBe(200);
    const lint = await fetch(`${server.url}${review}/lint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: '{}',
    });
    expect(lint.status).toBe(403);
  });
});
