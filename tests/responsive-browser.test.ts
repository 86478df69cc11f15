// Every admin and public page, on the demo data, at a phone's, a tablet's and a laptop's width, in
// light and dark: no page is wider than the window, and axe finds nothing. The list of pages is
// checked against src/pages, so a new page cannot be left out. One browser, one tab per login state.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createClient } from '@libsql/client';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { createUserWithToken } from './support/api.ts';
import { createAudience } from './support/audiences.ts';
import { axeViolations, COLOUR_RULES, serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser();
const WIDTHS = [375, 768, 1280];
const PAGES_DIR = join(import.meta.dirname, '../src/pages');

/** Every .astro page under src/pages, relative to it; the live/ fragments are parts of `/`, not pages. */
function astroPages(dir = PAGES_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'live' ? [] : astroPages(path);
    return e.name.endsWith('.astro') ? [relative(PAGES_DIR, path)] : [];
  });
}

async function first(dbFile: string, sql: string): Promise<string> {
  const client = createClient({ url: `file:${dbFile}` });
  try {
    const [row] = (await client.execute(sql)).rows;
    if (!row) throw new Error(`the demo has nothing for: ${sql}`);
    return String(Object.values(row)[0]);
  } finally {
    client.close();
  }
}

/** Publishes the demo's review as its owner and a bar-raiser would, so its public RCA page exists. */
async function publishDemoReview(base: string, dbFile: string, review: string): Promise<void> {
  const users = ['owner', 'raiser'].map((name) => {
    const email = `${name}@example.com`;
    return { email, password: createUserWithToken(dbFile, 'author', email, `Demo ${name}`).password };
  });
  const [owner, raiser] = await Promise.all(users.map((u) => adminSession(base, u.email, u.password)));
  const rca = `/admin/reviews/${review}/rca`;
  const step = async (who: typeof owner, fields: [string, string][]) => {
    const r = await who.post(rca, fields);
    if (r.status !== 303) throw new Error(`${fields[0][1]}: ${r.status} ${r.html.slice(0, 2000)}`);
  };
  const ownerId = /<option value="(\d+)"[^>]*>Demo owner/.exec((await owner.get(rca)).html)![1];
  await step(owner, [
    ['action', 'assign'],
    ['ownerId', ownerId],
  ]);
  await step(owner, [['action', 'reduce']]);
  await step(owner, [['action', 'submit']]);
  const hash = /name="textHash" value="([0-9a-f]{64})"/.exec((await raiser.get(rca)).html)![1];
  await step(raiser, [
    ['action', 'approve'],
    ['textHash', hash],
  ]);
  await step(owner, [
    ['action', 'publish'],
    ['acknowledgement', 'Reviewed with legal.'],
  ]);
}

async function post(base: string, path: string, fields: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Layout faults in the open page, each as a sentence. Runs in the page. */
function layoutFaults(): string[] {
  const faults: string[] = [];
  const html = document.documentElement;
  if (html.scrollWidth > window.innerWidth)
    faults.push(`${html.scrollWidth} px wide in a ${window.innerWidth} px window`);
  // A header item broken over two lines ("Open / incident", "Subscribe to / updates").
  for (const item of document.querySelectorAll('.site-header a, .site-header button')) {
    const range = document.createRange();
    range.selectNodeContents(item);
    const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    if (lines.size > 1) faults.push(`"${item.textContent?.trim()}" breaks over ${lines.size} lines`);
  }
  // Empty space at the top of a card: its first child's own margin on top of the card's padding.
  for (const card of document.querySelectorAll<HTMLElement>('.card')) {
    const first = card.firstElementChild;
    if (!first || first.getClientRects().length === 0) continue;
    const style = getComputedStyle(card);
    const inner = card.getBoundingClientRect().top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
    const gap = first.getBoundingClientRect().top - inner;
    if (gap > 1) faults.push(`a card starts with ${Math.round(gap)} px of empty space`);
  }
  // The timeline's phase names: apart from each other, and at least 10 px tall as shown.
  const phases = [...document.querySelectorAll('.timeline-svg g')]
    .filter((g) => / phase: /.test(g.querySelector('title')?.textContent ?? ''))
    .map((g) => g.querySelector('text')!.getBoundingClientRect());
  phases.forEach((a, i) => {
    if (a.height < 10) faults.push(`a phase name is ${a.height.toFixed(1)} px tall`);
    for (const b of phases.slice(i + 1))
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        faults.push('two phase names overlap');
  });
  return faults;
}

/** What is wrong with the page open in `page`: layout faults, then axe in light and, for colours, in dark. */
async function problems(page: Page, label: string): Promise<string[]> {
  const found = (await page.evaluate(layoutFaults)).map((f) => `${label}: ${f}`);
  await page.emulateMedia({ colorScheme: 'light' });
  for (const v of await axeViolations(page)) found.push(`${label} light: ${v}`);
  // Only the colours differ in dark; the other rules' outcome is the one just checked.
  await page.emulateMedia({ colorScheme: 'dark' });
  for (const v of await axeViolations(page, COLOUR_RULES)) found.push(`${label} dark: ${v}`);
  return found;
}

async function check(page: Page, base: string, urls: Record<string, string>): Promise<string[]> {
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    for (const [file, url] of Object.entries(urls)) {
      const status = (await page.goto(base + url))!.status();
      // Only the not-found page may answer 404, and the single sign-on callback (which a page only
      // shows when it refuses) 400: any other miss would check an error page instead.
      const expected = file === '404.astro' ? 404 : file === 'access/sso/callback.astro' ? 400 : 200;
      if (status !== expected) found.push(`${url} (${file}) answered ${status}`);
      else found.push(...(await problems(page, `${url} (${file}) at ${width}`)));
    }
  }
  return found;
}

describe('every page fits a phone, a tablet and a laptop, light and dark', () => {
  test('no horizontal overflow and no axe violation on any admin or public page', async () => {
    const { server, browser } = ctx;
    const base = server.url;
    const setupPath = server.setupLink!.slice(base.length);

    const anon = await browser.newPage();
    const before = await check(anon, base, { 'admin/setup.astro': setupPath });

    // The first admin, through the setup link, as a new user does.
    const admin = await browser.newPage();
    await admin.goto(server.setupLink!);
    await admin.fill('#name', 'Ada Admin');
    await admin.fill('#email', 'ada@example.com');
    await admin.fill('#password', 'correct horse battery');
    await admin.click('main button[type=submit]');
    await expect.poll(() => admin.url(), { timeout: 5000 }).toBe(base + '/admin');
    const cookie = (await admin.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

    // An invitation (for /admin/password) and a confirmed subscriber (for the subscription pages).
    const invited = await (
      await post(
        base,
        '/admin/users',
        { action: 'invite', name: 'Sam', email: 'sam@example.com', role: 'support' },
        cookie,
      )
    ).text();
    const passwordPath = /<code class="secret">[^<]*?(\/admin\/password\?token=[a-z0-9]+)<\/code>/.exec(invited)![1];
    expect((await post(base, '/subscribe', { email: 'reader@example.com', scope: 'all' })).status).toBe(200);
    const confirm = JSON.parse(
      await first(
        server.dbFile,
        `select payload from notifications where kind = 'subscription.confirm' order by id desc`,
      ),
    ).token as string;
    const manage = await first(
      server.dbFile,
      `select manage_token from subscribers where address = 'reader@example.com'`,
    );

    // The demo has no maintenance: schedule one for tomorrow.
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);
    const scheduled = await post(
      base,
      '/admin/maintenance',
      {
        title: 'Database upgrade',
        body: 'Writes pause for a few minutes.',
        scheduledFor: at(24),
        scheduledUntil: at(25),
      },
      cookie,
    );
    expect(scheduled.status).toBe(303);
    // An audience given a component, for its page (and the "Visible to" choice on Components).
    const component = await first(server.dbFile, 'select id from components order by id');
    const audienceMade = await post(
      base,
      '/admin/audiences',
      {
        action: 'create',
        name: 'Enterprise customers',
        members: 'ana@customer.example\n@partner.example',
        ipAllowlist: '203.0.113.0/24',
        componentIds: component,
      },
      cookie,
    );
    expect(audienceMade.status).toBe(303);
    const audiencePath = audienceMade.headers.get('location')!.replace(/\?.*$/, '');
    const db = (sql: string) => first(server.dbFile, sql);
    // A public incident: one that does not touch the component just given to the audience.
    const incident = await db(
      `select id from incidents i where published = 1 and not exists (select 1 from incident_updates u
         join incident_update_components c on c.update_id = u.id where u.incident_id = i.id and c.component_id = ${component})
       order by id`,
    );
    const maintenance = await db(`select id from maintenances order by id`);
    const review = await db(`select id from reviews order by id`);
    await publishDemoReview(base, server.dbFile, review);
    const slug = await db(`select slug from reviews where slug is not null order by id`);
    const subscriber = await db(`select id from subscribers where kind != 'staff' order by id`);
    const notification = await db(`select id from notifications order by id`);

    const publicPages: Record<string, string> = {
      '404.astro': '/no-such-page',
      'index.astro': '/',
      'history.astro': '/history',
      'incidents/[id].astro': `/incidents/${incident}`,
      'maintenance/[id].astro': `/maintenance/${maintenance}`,
      'postmortems/index.astro': '/postmortems',
      'postmortems/[slug].astro': `/postmortems/${slug}`,
      'subscribe/index.astro': '/subscribe',
      'subscribe/webhooks.astro': '/subscribe/webhooks',
      'subscribe/chat.astro': '/subscribe/chat',
      'subscribe/confirm/[token].astro': `/subscribe/confirm/${confirm}`,
      'subscription/[token]/index.astro': `/subscription/${manage}`,
      'subscription/[token]/unsubscribe.astro': `/subscription/${manage}/unsubscribe`,
      'widget.astro': '/widget',
      'access/index.astro': '/access',
      'access/password.astro': '/access/password?audience=Partners',
      // GET only shows the button; the token is checked when it is pressed.
      'access/link/[token].astro': '/access/link/abcdefghijklmnopqrstuvwxyz234567',
      // Reached without a sign-in under way: the refusal page.
      'access/sso/callback.astro': '/access/sso/callback?code=x&state=y',
    };
    const loggedOutAdmin: Record<string, string> = {
      'admin/login.astro': '/admin/login',
      'admin/password.astro': passwordPath,
    };
    const adminPages: Record<string, string> = {
      'admin/index.astro': '/admin',
      'admin/incidents/new.astro': '/admin/incidents/new',
      'admin/incidents/[id].astro': `/admin/incidents/${incident}`,
      'admin/maintenance/index.astro': '/admin/maintenance',
      'admin/maintenance/[id].astro': `/admin/maintenance/${maintenance}`,
      'admin/templates/index.astro': '/admin/templates',
      'admin/settings/index.astro': '/admin/settings',
      'admin/settings/glossary.astro': '/admin/settings/glossary',
      'admin/settings/alerts.astro': '/admin/settings/alerts',
      'admin/reviews/index.astro': '/admin/reviews',
      'admin/reviews/[id]/index.astro': `/admin/reviews/${review}`,
      'admin/reviews/[id]/rca.astro': `/admin/reviews/${review}/rca`,
      'admin/components.astro': '/admin/components',
      'admin/audiences/index.astro': '/admin/audiences',
      'admin/audiences/[id].astro': audiencePath,
      'admin/subscribers/index.astro': '/admin/subscribers',
      'admin/subscribers/[id].astro': `/admin/subscribers/${subscriber}`,
      'admin/outbox/index.astro': '/admin/outbox',
      'admin/outbox/[id].astro': `/admin/outbox/${notification}`,
      'admin/users.astro': '/admin/users',
      'admin/audit.astro': '/admin/audit',
      'admin/api.astro': '/admin/api',
      'admin/account.astro': '/admin/account',
      'admin/import.astro': '/admin/import',
    };
    // A member's own page needs a signed-in viewer: one signs in with an audience's password.
    await createAudience(server.dbFile, { name: 'Partners', password: 'partners password' });
    const member = await browser.newPage();
    await member.goto(base + '/access/password?audience=Partners');
    await member.fill('#password', 'partners password');
    await member.click('main button[type=submit]');
    await expect.poll(() => member.url(), { timeout: 5000 }).toBe(base + '/');
    const memberPages: Record<string, string> = { 'my.astro': '/my' };
    const listed = [
      'admin/setup.astro',
      ...Object.keys(memberPages),
      ...Object.keys(publicPages),
      ...Object.keys(loggedOutAdmin),
      ...Object.keys(adminPages),
    ];
    expect(listed.sort()).toEqual(astroPages().sort());

    const found = [
      ...before,
      ...(await check(anon, base, { ...publicPages, ...loggedOutAdmin })),
      ...(await check(admin, base, adminPages)),
      ...(await check(member, base, memberPages)),
    ];
    expect(found).toEqual([]);
    await anon.close();
    await admin.close();
    await member.close();
  }, 240_000);

  test('the subscribe page offers email, the feeds and the calendar, and links the webhook documentation', async () => {
    const html = await (await fetch(ctx.server.url + '/subscribe')).text();
    for (const href of ['/history.atom', '/history.rss', '/maintenance.ics', '/subscribe/webhooks'])
      expect(html).toContain(`href="${href}"`);
    expect(html).not.toContain('X-Candor-Signature');
    const developers = await fetch(ctx.server.url + '/subscribe/webhooks');
    expect(developers.status).toBe(200);
    const docs = await developers.text();
    expect(docs).toContain('X-Candor-Signature');
    expect(docs).toContain('subscription.verify');
  });
});
