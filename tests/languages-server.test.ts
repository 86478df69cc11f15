// The public pages in every shipped language, through the real built server: the footer's switch
// (plain links, no script) remembers the choice in a cookie, <html lang> and Content-Language say
// it, the page cache keeps one entry per language and never hands one language's page to
// another, live fragments come in the page's language, feeds speak it, and a subscriber gets the
// confirmation and every later email in the language they subscribed in (through the Resend mock),
// and the refusals a visitor can meet on the public forms and links come in their language too.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatMonth } from '../src/domain/format.ts';
import { SUPPORTED_LOCALES, type Locale } from '../src/domain/locales.ts';
import { t, type MessageKey } from '../src/i18n/t.ts';
import { createUserWithToken, openIncidentAs } from './support/api.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, nextIp, waitFor } from './support/subscribers.ts';

let mock: ResendMock;
let server: TestServer;

beforeAll(async () => {
  mock = new ResendMock();
  await mock.start();
  server = await startServer({ env: mailEnv(mock) });
});
afterAll(async () => {
  await server?.stop();
  await mock?.stop();
});

/** Astro escapes text: compare with the message as it appears in HTML. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function get(path: string, cookie?: string) {
  const response = await fetch(server.url + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Follows the language switch in the footer of `page` as a browser without JavaScript would. */
async function switchTo(locale: Locale, page = '/', cookie?: string): Promise<string> {
  const { body } = await get(page, cookie);
  const href = new RegExp(`<a href="([^"]+)" lang="${locale}" hreflang="${locale}"`).exec(body)?.[1];
  expect(href, `the footer links to ${locale}`).toBeDefined();
  const answer = await get(href!.replace(/&amp;/g, '&'), cookie);
  expect(answer.status).toBe(303);
  expect(answer.headers.get('location')).toBe(page);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  const set = answer.headers.get('set-cookie') ?? '';
  expect(set).toMatch(new RegExp(`^candor_lang=${locale};.*Max-Age=31536000`));
  return set.split(';')[0];
}

describe('the public pages in each language', () => {
  test.each(SUPPORTED_LOCALES)('%s: the switch is remembered; / and /subscribe speak it', async (locale) => {
    const cookie = await switchTo(locale);
    const home = await get('/', cookie);
    expect(home.status).toBe(200);
    expect(home.body).toContain(`<html lang="${locale}"`);
    expect(home.headers.get('content-language')).toBe(locale);
    expect(home.headers.get('vary')).toMatch(/Cookie/);
    for (const key of ['home.components', 'home.pastIncidents', 'layout.navSubscribe', 'layout.skip'] as const)
      expect(home.body).toContain(html(t(locale, key)));
    // The language of the current page is marked in the switch.
    expect(home.body).toMatch(new RegExp(`lang="${locale}" hreflang="${locale}" aria-current="true"`));

    const subscribe = await get('/subscribe', cookie);
    expect(subscribe.body).toContain(`<html lang="${locale}"`);
    for (const key of ['subscribe.email', 'subscribe.submit', 'components.which', 'subscribe.otherWays'] as const)
      expect(subscribe.body).toContain(html(t(locale, key)));
  });

  test('English words are gone from a German page', async () => {
    const cookie = await switchTo('de');
    const home = (await get('/', cookie)).body;
    for (const english of ['Past incidents', 'Skip to content', 'Subscribe to updates', 'Operational', 'Today'])
      expect(home).not.toMatch(new RegExp(`>\\s*${english}\\s*<`));
    expect(home).not.toMatch(/% uptime/);
    expect(home).toContain('Verfügbarkeit');
  });

  test('an unknown language is ignored: no cookie, the site default', async () => {
    const answer = await get('/?lang=tlh');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.body).toContain('<html lang="en"');
    const cookied = await get('/', 'candor_lang=tlh');
    expect(cookied.body).toContain('<html lang="en"');
  });
});

describe('the page cache keys on the language', () => {
  test('a German visitor never gets the cached English page, nor the other way round', async () => {
    const de = 'candor_lang=de';
    // Warm each language's entry, then every answer must be a hit in its own language.
    await get('/history');
    await get('/history', de);
    for (let round = 0; round < 3; round++) {
      const english = await get('/history');
      const german = await get('/history', de);
      expect(english.body).toContain('<html lang="en"');
      expect(english.body).toContain(`aria-label="${t('en', 'history.monthsLabel')}"`);
      expect(german.body).toContain('<html lang="de"');
      expect(german.body).toContain(`aria-label="${t('de', 'history.monthsLabel')}"`);
      expect(english.headers.get('x-cache')).toBe('hit');
      expect(german.headers.get('x-cache')).toBe('hit');
      expect(english.headers.get('etag')).not.toBe(german.headers.get('etag'));
    }
    // A junk cookie value shares the default language's entry instead of making a new one.
    expect((await get('/history', 'candor_lang=xx')).headers.get('x-cache')).toBe('hit');
  });

  test('live fragments come in the language the page asks for', async () => {
    const { v } = JSON.parse((await get('/live/version.json')).body) as { v: number };
    for (const locale of ['ja', 'fr'] as const) {
      const fragment = await get(`/live/${v}/status?lang=${locale}`);
      expect(fragment.status).toBe(200);
      // The banner: the overall status, in the page's language.
      const banner = /<div class="banner[^>]*>\s*([^<]+?)\s*<\/div>/.exec(fragment.body)?.[1];
      const indicators = (['none', 'maintenance', 'minor', 'major', 'critical'] as const).map((i) =>
        html(t(locale, `indicator.${i}`)),
      );
      expect(indicators).toContain(banner);
      // Not the cookie: the fragment URL names the language, so a CDN may keep it for good.
      expect((await get(`/live/${v}/status?lang=${locale}`, 'candor_lang=en')).body).toBe(fragment.body);
    }
  });

  test('feeds, the calendar and the widget speak ?lang= without a cookie or a redirect', async () => {
    const atom = await get('/history.atom?lang=fr');
    expect(atom.status).toBe(200);
    expect(atom.headers.get('set-cookie')).toBeNull();
    expect(atom.body).toContain('xml:lang="fr"');
    expect(atom.body).toContain(t('fr', 'feed.title', { site: 'Example Cloud' }));
    const rss = await get('/history.rss?lang=es');
    expect(rss.body).toContain('<language>es</language>');
    const ics = await get('/maintenance.ics?lang=de');
    expect(ics.body).toContain(`X-WR-CALNAME:${t('de', 'calendar.name', { site: 'Example Cloud' })}`);
    const widget = await get('/widget?lang=ja');
    expect(widget.body).toContain('<html lang="ja"');
    expect(widget.body).toContain(html(t('ja', 'indicator.none')));
    const script = await get('/widget.js?lang=es');
    expect(script.body).toContain(t('es', 'widget.loading'));
  });
});

describe('emails in the subscriber’s language', () => {
  test('a German subscriber gets the confirmation and incident mail in German; an English one in English', async () => {
    const subscribeAs = async (email: string, cookie: string) => {
      const response = await fetch(`${server.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': nextIp(), cookie },
        body: new URLSearchParams([
          ['email', email],
          ['scope', 'all'],
        ]).toString(),
      });
      expect(response.status).toBe(200);
      const mail = await waitFor(`confirmation for ${email}`, () => mock.emailsTo(email)[0]);
      const link = /(http:\/\/\S+\/subscribe\/confirm\/[a-z0-9]+)\S*/.exec(mail.text)!;
      // The link opens the confirmation page in the email's language and remembers it.
      const opened = await fetch(link[0].replace('localhost', '127.0.0.1'), { redirect: 'manual' });
      const confirmed = await fetch(link[1].replace('localhost', '127.0.0.1'), { method: 'POST' });
      expect(confirmed.status).toBe(200);
      return { mail, opened };
    };
    const german = await subscribeAs('leser@example.de', 'candor_lang=de');
    expect(german.mail.subject).toBe(t('de', 'email.confirmSubject', { site: 'Example Cloud' }));
    expect(german.mail.html).toContain('<html lang="de">');
    expect(german.mail.text).toContain(t('de', 'email.confirmAsked', { site: 'Example Cloud' }));
    expect(german.opened.status).toBe(303);
    expect(german.opened.headers.get('set-cookie')).toMatch(/^candor_lang=de;/);
    const english = await subscribeAs('reader@example.com', 'candor_lang=en');
    expect(english.mail.subject).toBe('Confirm your subscription to Example Cloud status updates');

    const { token } = createUserWithToken(server.dbFile, 'support');
    await openIncidentAs(server.url, token, {
      title: 'Checkout errors',
      impact: 'major',
      message: 'We are looking into failed payments.',
    });
    const de = await waitFor('the German incident email', () => mock.emailsTo('leser@example.de')[1]);
    const en = await waitFor('the English incident email', () => mock.emailsTo('reader@example.com')[1]);
    expect(de.subject).toBe(`[Example Cloud] ${t('de', 'email.newIncident')}: Checkout errors`);
    expect(de.text).toContain(t('de', 'impact.major'));
    expect(de.text).toContain(t('de', 'incidentStatus.investigating'));
    // What staff wrote goes out as written.
    expect(de.text).toContain('We are looking into failed payments.');
    expect(de.text).toContain(t('de', 'email.footer', { site: 'Example Cloud' }));
    expect(de.text).toMatch(/\/incidents\/\d+\?lang=de/);
    expect(de.headers['List-Unsubscribe']).toMatch(/^<http:\/\/\S+\/subscription\/[a-z0-9]+\/unsubscribe>$/);
    expect(en.subject).toBe('[Example Cloud] New incident: Checkout errors');
    expect(en.text).toContain('Major impact');
  });
});

describe('refusals in the visitor’s language', () => {
  const de = 'candor_lang=de';
  const form = async (path: string, fields: [string, string][], ip = nextIp()) => {
    const response = await fetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, cookie: de },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, body: await response.text() };
  };
  const german = (key: MessageKey) => html(t('de', key));

  test('the subscribe form’s refusals', async () => {
    const cases: [[string, string][], MessageKey][] = [
      [
        [
          ['email', ''],
          ['scope', 'all'],
        ],
        'error.emailRequired',
      ],
      [
        [
          ['email', 'not an address'],
          ['scope', 'all'],
        ],
        'error.emailInvalid',
      ],
      [
        [
          ['email', `${'a'.repeat(250)}@example.com`],
          ['scope', 'all'],
        ],
        'error.emailTooLong',
      ],
      [
        [
          ['email', 'some@example.com'],
          ['scope', 'some'],
        ],
        'error.componentsNone',
      ],
    ];
    for (const [fields, key] of cases) {
      const answer = await form('/subscribe', fields);
      expect(answer.status, key).toBe(400);
      expect(answer.body, key).toContain(german(key));
    }
    // Three requests an hour per address, ten per network.
    for (let i = 0; i < 3; i++)
      await form('/subscribe', [
        ['email', 'often@example.com'],
        ['scope', 'all'],
      ]);
    const perAddress = await form('/subscribe', [
      ['email', 'often@example.com'],
      ['scope', 'all'],
    ]);
    expect(perAddress.status).toBe(429);
    expect(perAddress.body).toContain(german('error.rateAddress'));
    const ip = nextIp();
    for (let i = 0; i < 10; i++)
      await form(
        '/subscribe',
        [
          ['email', `net${i}@example.com`],
          ['scope', 'all'],
        ],
        ip,
      );
    const perIp = await form(
      '/subscribe',
      [
        ['email', 'net-last@example.com'],
        ['scope', 'all'],
      ],
      ip,
    );
    expect(perIp.status).toBe(429);
    expect(perIp.body).toContain(german('error.rateIp'));
  });

  test('a history page past the last one', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const answer = await get(`/history?month=${month}&page=9`, 'candor_lang=fr');
    expect(answer.status).toBe(404);
    expect(answer.body).toBe(t('fr', 'history.noSuchPage', { page: 9, month: formatMonth(month, 'fr') }));
  });

  test('broken, expired and spent links', async () => {
    const invalid = await form('/subscribe/confirm/nosuchtoken', []);
    expect(invalid.body).toContain(german('error.confirmInvalid'));

    await form('/subscribe', [
      ['email', 'spät@example.de'.replace('ä', 'ae')],
      ['scope', 'all'],
    ]);
    const mail = await waitFor('confirmation', () => mock.emailsTo('spaet@example.de')[0]);
    const client = createClient({ url: `file:${server.dbFile}`, timeout: 10_000 });
    await client.execute(`update subscribers set confirm_expires_at = 1 where address = 'spaet@example.de'`);
    client.close();
    const path = /\/subscribe\/confirm\/[a-z0-9]+/.exec(mail.text)![0];
    const expired = await form(path, []);
    expect(expired.body).toContain(german('error.confirmExpired'));

    // Unsubscribed, then choosing components again on the manage page.
    await form('/subscribe', [
      ['email', 'gone@example.de'],
      ['scope', 'all'],
    ]);
    const goneMail = await waitFor('confirmation', () => mock.emailsTo('gone@example.de')[0]);
    const confirmed = await form(/\/subscribe\/confirm\/[a-z0-9]+/.exec(goneMail.text)![0], []);
    const manage = /href="(\/subscription\/[a-z0-9]+)"/.exec(confirmed.body)![1];
    await form(`${manage}/unsubscribe`, []);
    const spent = await form(manage, [['scope', 'all']]);
    expect(spent.status).toBe(409);
    expect(spent.body).toContain(html(t('de', 'manage.unsubscribed').replace(/\[\[.*\]\]/, '')).trim());

    const unknown = await fetch(`${server.url}/subscription/nosuchtoken`, { headers: { cookie: de } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe(t('de', 'error.manageInvalid'));
  });
});
