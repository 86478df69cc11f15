// Audiences in a real Chromium with JavaScript off: the forms are plain HTML forms, so an admin
// adds an audience with members and a component, sets its password, and gives another component
// to it from the Components page, and the API reads back what the forms saved. (Axe checks these
// pages in responsive-browser.test.ts.)
import { describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser({ env: { CANDOR_WORKER: '0' } });

describe('audiences in the browser', () => {
  test('add an audience, a password and a "Visible to" choice without JavaScript', async () => {
    const { server, browser } = ctx;
    const root = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(server.url + '/admin/login');
    await page.fill('#email', root.email);
    await page.fill('#password', root.password);
    await page.click('main button[type=submit]');
    await expect.poll(() => page.url()).toBe(server.url + '/admin');

    const [first, second] = (await api(server.url, root.token, 'GET', '/api/v1/components')).body.components as {
      id: number;
      name: string;
    }[];
    await page.click('nav a[href="/admin/audiences"]');
    await page.fill('#name', 'Enterprise customers');
    await page.fill('#members', 'Ana@Customer.example\n@partner.example');
    await page.fill('#ipAllowlist', '203.0.113.7/24');
    await page.check(`#componentIds-${first.id}`);
    await page.click('button:has-text("Add audience")');
    await expect.poll(() => page.url()).toMatch(/\/admin\/audiences\/\d+\?done=create$/);
    const id = Number(/audiences\/(\d+)/.exec(page.url())![1]);
    const access = await page.textContent('[data-access]');
    expect(access).toContain('1 address and 1 domain');
    expect(access).toContain('IP ranges: 203.0.113.0/24.');

    await page.fill('#password', 'a shared secret');
    await page.click('button:has-text("Set password")');
    await expect.poll(() => page.textContent('[data-access]')).toContain('Shared password: yes.');

    await page.goto(server.url + '/admin/components');
    const card = page.locator('details', { has: page.locator(`input[name="id"][value="${second.id}"]`) });
    await card.locator('summary').click();
    await card.getByLabel('Only these audiences:').check();
    await card.getByLabel('Enterprise customers').check();
    await card.getByRole('button', { name: 'Save component' }).click();
    await expect.poll(() => page.textContent('main')).toContain(`visible to Enterprise customers`);

    const audience = (await api(server.url, root.token, 'GET', `/api/v1/audiences/${id}`)).body.audience;
    expect(audience).toMatchObject({
      members: ['ana@customer.example', '@partner.example'],
      has_password: true,
      ip_allowlist: ['203.0.113.0/24'],
      component_ids: [first.id, second.id].sort((a, b) => a - b),
    });
    await context.close();
  }, 60_000);
});
