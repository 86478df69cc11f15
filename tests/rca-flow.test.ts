// From internal review to published RCA through the real server: a browser walks the whole path,
// and a marker in every internal-only field proves none of it reaches a public page, JSON, email
// or webhook.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { axeViolations, launchBrowser, loggedIn } from './support/browser.ts';
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
    title, impact: 'major', message: 'We are investigating errors on the API.', components: { 1: 'major_outage' }, startedAt: new Date(startedAt).toISOString(),
  });
  expect(created.status).toBe(201);
  const id = created.body.incident.id as number;
  const resolved = await api(server.url, adminToken, 'POST', `/api/v1/incidents/${id}/updates`, { status: 'resolved', message: 'The API works again.', components: { 1: 'operational' } });
  expect(resolved.status).toBe(201);
  return { id, startedAt };
}

const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

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

    await page.click('summary:has-text("Add a contributing factor")');
    await page.selectOption('#new-factor-kind', 'trigger');
    await page.fill('#new-factor-description', 'Bad config pushed to api-eu-3');
    await page.check('form:has(#new-factor-kind) input[name=public]');
    await page.fill('#new-factor-publicText', 'A configuration change stopped our API servers in Europe from accepting connections.');
    await page.click('button:has-text("Add factor")');
    await page.getByText('Saved.').waitFor();

    await page.click('summary:has-text("Add an action item")');
    await page.fill('#new-action-title', 'Canary config pushes');
    await page.fill('#new-action-owner', 'Jonas Weber');
    await page.fill('#new-action-dueAt', new Date(Date.now() + 30 * 24 * 60 * MIN).toISOString().slice(0, 10));
    await page.selectOption('#new-action-category', 'prevent');
    await page.check('form:has(#new-action-title) input[name=public]');
    await page.fill('#new-action-publicText', 'Configuration changes now reach a few servers first and stop on errors.');
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
    expect(summary).toContain(`between ${local(startedAt).slice(11)} and`);
    expect(summary).toContain('API was unavailable');
    const wrong = await page.inputValue('#s-wrong');
    await page.fill('#s-wrong', `${wrong} L514 experienced a cut while L528 was shifted for an XLA replacement.`);
    await page.locator('[data-lint-for="wrong"] li', { hasText: 'one of the two fiber paths' }).waitFor();
    expect(await page.locator('[data-lint-for="wrong"] li').count()).toBe(3);
    await page.fill('#s-wrong', wrong);
    await expect.poll(() => page.locator('[data-lint-for="wrong"] li').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.click('button:has-text("Save text")');
    await page.click('button:has-text("Ask for review")');
    await page.getByText('someone else must approve').waitFor();
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
    await incidentPage.goto(`${server.url}/postmortems`);
    expect(await incidentPage.locator('main').innerText()).toContain('Post-incident report: API errors for EU customers');
    await incidentPage.close();

    const mail = await waitFor('RCA email', () => mock.emailsTo('reader@example.com').find((m) => m.subject.includes('Post-incident report')));
    expect(mail.text).toContain('between');
    expect(mail.text).toContain(new URL(rcaUrl).pathname);
  });
});
