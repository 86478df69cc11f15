// Settings through the real server: API v1 reads and changes them (admins only, bad input refused
// whole with a readable message), images are uploaded, checked and served with long cache
// lifetimes, the admin form says what is wrong, and a second instance on the same database shows
// every change at once, telling its open pages over its event stream.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import siteFile from '../content/site.json' with { type: 'json' };
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents } from './support/events.ts';
import { LOGO_SVG, oversizedPng, SCRIPTED_SVG, TINY_PNG } from './support/images.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { mailEnv, subscribe, waitFor } from './support/subscribers.ts';

let a: TestServer;
let b: TestServer;
let admin: { token: string; password: string; email: string };
let support: string;
let reader: string;
let mail: ResendMock;

beforeAll(async () => {
  const dbFile = tempDbFile();
  mail = new ResendMock();
  await mail.start();
  // A sends the email (its outbox worker); B only serves pages.
  a = await startServer({ dbFile, env: mailEnv(mail) });
  b = await startServer({ dbFile });
  admin = createUserWithToken(dbFile, 'admin', 'root@example.com', 'Root');
  support = createUserWithToken(dbFile, 'support', 'desk@example.com', 'Desk').token;
  reader = createUserWithToken(dbFile, 'admin', 'reader@example.com', 'Reader', 'read').token;
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await mail?.stop();
});

/**
 * The parts of a public page that settings shape (head up to the brand style, header, footer),
 * so assertions compare those and a failure prints them, not a whole page.
 */
async function chrome(server: TestServer, path = '/'): Promise<string> {
  const html = await (await fetch(server.url + path)).text();
  const parts = [
    /<html[^>]*>/.exec(html)?.[0],
    /<head>.*?<style data-brand-style>.*?<\/style>/s.exec(html)?.[0],
    /<header.*?<\/header>/s.exec(html)?.[0],
    /<time [^>]*>[^<]*<\/time>/.exec(html)?.[0],
    /<footer.*?<\/footer>/s.exec(html)?.[0],
  ];
  return parts.join('\n');
}

const settings = async (server = a) => (await api(server.url, admin.token, 'GET', '/api/v1/settings')).body.settings;
const patch = (body: unknown, token = admin.token) => api(a.url, token, 'PATCH', '/api/v1/settings', body);
const upload = (kind: string, bytes: Buffer, token = admin.token) =>
  api(a.url, token, 'PUT', `/api/v1/settings/${kind}`, { data: bytes.toString('base64') });

describe('settings API', () => {
  test('start as content/site.json says; any token reads them', async () => {
    expect(await settings()).toEqual({
      name: siteFile.name,
      description: siteFile.description,
      brand_color: siteFile.brandColor,
      header_links: siteFile.headerLinks,
      footer_markdown: '',
      time_zone: 'UTC',
      default_locale: 'en',
      support_contact: siteFile.supportContact,
      show_powered_by: true,
      private_site: false,
      logo_url: null,
      favicon_url: null,
    });
    expect((await api(a.url, reader, 'GET', '/api/v1/settings')).status).toBe(200);
    expect((await api(a.url, null, 'GET', '/api/v1/settings')).status).toBe(401);
  });

  test('bad input is refused with a message per field, and nothing changes', async () => {
    const before = await settings();
    const cases: [unknown, RegExp][] = [
      [
        { brandColor: '#ffcc00' },
        /^brandColor: Brand colour must give white text on it a contrast ratio of at least 4\.5:1 \(WCAG AA\); #ffcc00 gives only 1\.51:1, so choose a darker colour$/,
      ],
      [{ brandColor: 'purple' }, /^brandColor: Brand colour must be a colour written as #rrggbb/],
      [{ timeZone: 'Mars/Olympus' }, /^timeZone: Time zone must be a time zone name from the IANA database/],
      [
        { headerLinks: [{ label: 'Click', url: 'javascript:alert(1)' }] },
        /^headerLinks\.0\.url: URL must be a web address/,
      ],
      [{ headerLinks: Array(6).fill({ label: 'x', url: 'https://x.example' }) }, /must have at most 5 links/],
      [{ supportContact: 'call Bob' }, /^supportContact: Support contact must be a web address .* or an email address/],
      [{ showPoweredBy: 'yes' }, /^showPoweredBy: "Powered by Candor" must be true or false$/],
      [{ defaultLocale: 'xx' }, /^defaultLocale: Default language must be one of en, de, fr, es, ja/],
      [{ name: '  ' }, /^name: Name is required$/],
      [{ footerMarkdown: 'x'.repeat(2001) }, /^footerMarkdown: Footer text must be at most 2,000 characters$/],
      [{ logo: 'abc.png' }, /has fields Candor does not know: logo/],
      [{ name: 'Acme', timeZone: 'nowhere' }, /^timeZone: /],
    ];
    for (const [body, detail] of cases) {
      const r = await patch(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.details, JSON.stringify(body)).toEqual([expect.stringMatching(detail)]);
    }
    expect((await patch({})).body.error.message).toMatch(/^Nothing to change/);
    expect((await patch('{"name":')).status).toBe(400);
    expect(await settings()).toEqual(before);
  });

  test('only admins change them: a support user and a read token get 403', async () => {
    const denied = await patch({ name: 'Desk page' }, support);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('settings:write');
    expect((await patch({ name: 'Read page' }, reader)).status).toBe(403);
    expect((await upload('logo', TINY_PNG, support)).status).toBe(403);
  });

  test('a change shows on the other instance at once, and its open pages hear of it', async () => {
    // Warm B's cache, so a page kept from before the change would show.
    expect(await chrome(b)).toContain(`<title>${siteFile.name} status</title>`);
    const events = await openEvents(b.url);
    await events.until(/event: hello/);
    const r = await patch({
      name: 'Acme Cloud',
      brandColor: '#7B2D8E',
      timeZone: 'europe/paris',
      headerLinks: [{ label: 'Docs', url: 'https://docs.acme.example/' }],
      footerMarkdown: 'Run by **Acme**. <script>alert(1)</script> [Terms](https://acme.example/terms)',
      supportContact: 'help@acme.example',
      showPoweredBy: false,
    });
    expect(r.status).toBe(200);
    expect(r.body.settings).toMatchObject({ name: 'Acme Cloud', brand_color: '#7b2d8e', time_zone: 'Europe/Paris' });
    await events.until(/event: change\ndata: .*"settings"/, 2000);
    events.close();
    expect(await settings(b)).toEqual(r.body.settings);
    const page = await chrome(b);
    expect(page).toContain('<title>Acme Cloud status</title>');
    expect(page).toContain('--brand:#7b2d8e');
    expect(page).toContain('<a href="https://docs.acme.example/" rel="noopener">Docs</a>');
    expect(page).toContain('Run by <strong>Acme</strong>.');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('<a href="mailto:help@acme.example">Contact support</a>');
    expect(page).not.toContain('Powered by Candor');
    expect(page).toContain('Times are shown in Europe/Paris');
    expect(page).toMatch(/<time [^>]*>\d+ \w+ \d{4}, \d\d:\d\d CES?T<\/time>/);
    // Feeds, emails and the public JSON carry the new name and the page's zone too.
    const atom = await (await fetch(b.url + '/history.atom')).text();
    expect(atom).toContain('Acme Cloud status history');
    expect(atom).toMatch(/\d\d:\d\d CES?T/);
    expect((await subscribe(a.url, 'zone@example.com')).status).toBe(200);
    const confirmation = await waitFor('the confirmation', () => mail.emailsTo('zone@example.com')[0]);
    expect(confirmation.subject).toContain('Acme Cloud');
    expect(confirmation.text).toMatch(/\d\d:\d\d CES?T/);
    expect((await (await fetch(b.url + '/api/v2/summary.json')).json()).page.name).toBe('Acme Cloud');
  });

  test('images are checked by content, stored by hash and served for a year from either instance', async () => {
    const png = await upload('favicon', TINY_PNG);
    expect(png.status).toBe(200);
    const url: string = png.body.settings.favicon_url;
    expect(url).toMatch(new RegExp(`^${a.publicUrl}/brand/[0-9a-f]{32}\\.png$`));
    const path = new URL(url).pathname;
    for (const server of [a, b]) {
      const r = await fetch(server.url + path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(Buffer.compare(Buffer.from(await r.arrayBuffer()), TINY_PNG)).toBe(0);
    }
    await expect.poll(() => chrome(b), { timeout: 2000 }).toContain(`<link rel="icon" href="${path}" type="image/png"`);
    expect((await fetch(a.url + '/brand/00000000000000000000000000000000.png')).status).toBe(404);

    const svg = await upload('logo', LOGO_SVG);
    expect(svg.status).toBe(200);
    const logoPath = new URL(svg.body.settings.logo_url).pathname;
    expect(logoPath).toMatch(/\.svg$/);
    const served = await fetch(a.url + logoPath);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(await served.text()).toContain('<rect width="120" height="32" rx="6" fill="#7b2d8e"/>');
    // B hears of the upload from the change feed (within a poll interval).
    await expect
      .poll(async () => (await fetch(b.url + '/')).text(), { timeout: 2000 })
      .toContain(`<img class="brand-logo" src="${logoPath}" alt="Acme Cloud">`);

    const refused: [Buffer, RegExp][] = [
      [Buffer.from('plain text, named logo.png'), /^This file is not an image Candor accepts/],
      [oversizedPng(512 * 1024), /^The logo is 513 KB; the largest accepted is 512 KB/],
      [SCRIPTED_SVG, /^This SVG is refused because it contains a <script> element/],
    ];
    for (const [bytes, message] of refused) {
      const r = await upload('logo', bytes);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await api(a.url, admin.token, 'PUT', '/api/v1/settings/logo', { data: 'not base64!' })).status).toBe(400);
    // The refused uploads left the logo as it was.
    expect((await settings()).logo_url).toBe(svg.body.settings.logo_url);

    const removed = await api(a.url, admin.token, 'DELETE', '/api/v1/settings/logo');
    expect(removed.body.settings.logo_url).toBeNull();
    await expect.poll(() => chrome(b), { timeout: 2000 }).not.toContain('brand-logo');
  });

  test('the admin form refuses a colour with the ratio and keeps what was typed; support staff cannot open it', async () => {
    const session = await adminSession(a.url, admin.email, admin.password);
    const current = await settings();
    const fields: [string, string][] = [
      ['action', 'save'],
      ['name', 'Typed name'],
      ['description', current.description],
      ['brandColor', '#88aaff'],
      ['timeZone', 'UTC'],
      ['defaultLocale', 'en'],
      ['supportContact', ''],
      ['footerMarkdown', ''],
    ];
    const r = await session.post('/admin/settings', fields);
    expect(r.status).toBe(400);
    expect(r.html).toMatch(
      /role="alert"[^]*Brand colour must give white text on it a contrast ratio of at least 4\.5:1 \(WCAG AA\); #88aaff gives only 2\.\d\d:1/,
    );
    expect(r.html).toContain('value="Typed name"');
    expect((await settings()).name).toBe(current.name);

    const saved = await session.post(
      '/admin/settings',
      fields.map(([k, v]) => [k, k === 'brandColor' ? '#1f6feb' : v]),
    );
    expect(saved.status).toBe(303);
    expect(await settings()).toMatchObject({ name: 'Typed name', brand_color: '#1f6feb', show_powered_by: false });

    const desk = createUserWithToken(a.dbFile, 'support', 'desk2@example.com', 'Desk Two');
    const deskSession = await adminSession(a.url, desk.email, desk.password);
    expect((await deskSession.get('/admin/settings')).status).toBe(403);
  });

  test('the default language is what a new visitor gets, on either instance; a chosen one stays', async () => {
    const lang = async (server: TestServer, cookie?: string) =>
      /<html lang="(\w+)"/.exec(
        await (await fetch(server.url + '/', { headers: cookie ? { cookie } : {} })).text(),
      )?.[1];
    // Both instances have cached the English page for visitors without a cookie.
    expect(await lang(a)).toBe('en');
    expect(await lang(b)).toBe('en');
    const r = await patch({ defaultLocale: 'de' });
    expect(r.status).toBe(200);
    expect(r.body.settings.default_locale).toBe('de');
    // The instance that took the change answers in it at once; the other as soon as it reads the feed.
    expect(await lang(a)).toBe('de');
    await expect.poll(() => lang(b), { timeout: 2000 }).toBe('de');
    const home = await fetch(b.url + '/');
    expect(home.headers.get('content-language')).toBe('de');
    expect(await home.text()).toContain('Zeiten sind in');
    // A visitor who chose a language keeps it; feeds name the language only when it is not the default.
    expect(await lang(b, 'candor_lang=fr')).toBe('fr');
    expect(await (await fetch(b.url + '/history.atom?lang=de')).text()).toContain(`href="${b.publicUrl}/history.atom"`);
    expect((await patch({ defaultLocale: 'en' })).status).toBe(200);
    await expect.poll(() => lang(b), { timeout: 2000 }).toBe('en');
  });
});
