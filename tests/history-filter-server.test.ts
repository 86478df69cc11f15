// The public history filtered by component and searched by title, through the real server: the
// filters combine with the month and its pages of 25, every link keeps them, the form is a plain
// GET whose URL says what it shows, and the page cache keys on them safely: spacing and junk do
// not make new entries, a bad filter is one refused page, and a flood of made-up searches never
// pushes the pages everyone reads out of the cache.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HISTORY_PAGE_SIZE } from '../src/domain/public-page.ts';
import { canonicalRequest } from '../src/server/cache-key.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

const HOUR = 3_600_000;
let server: TestServer;
let token: string;
const now = Date.now();
// Two and three months back: whole months, whatever today is.
const monthStartOf = (back: number) => Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - back, 1);
const older = new Date(monthStartOf(3)).toISOString().slice(0, 7);
const recent = new Date(monthStartOf(2)).toISOString().slice(0, 7);
const ids: Record<string, number> = {};
const API_INCIDENTS = HISTORY_PAGE_SIZE + 2;

async function incident(title: string, startedAt: number, componentId: number) {
  const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
    title,
    impact: 'minor',
    message: 'Looking into it.',
    components: { [componentId]: 'partial_outage' },
    startedAt: new Date(startedAt).toISOString(),
    notify: false,
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const resolved = await api(server.url, token, 'POST', `/api/v1/incidents/${opened.body.incident.id}/updates`, {
    status: 'resolved',
    message: 'Fixed.',
    components: { [componentId]: 'operational' },
    notify: false,
  });
  expect(resolved.status).toBe(201);
}

beforeAll(async () => {
  server = await startServer({ env: { CANDOR_SEED: '0' } });
  token = createUserWithToken(server.dbFile, 'admin').token;
  for (const name of ['API', 'Dashboard']) {
    ids[name] = (await api(server.url, token, 'POST', '/api/v1/components', { name })).body.component.id;
  }
  // The recent month: 27 API incidents (two pages when filtered) and 3 on the dashboard.
  for (let i = 1; i <= API_INCIDENTS; i++) await incident(`API error burst ${i}`, monthStartOf(2) + i * HOUR, ids.API);
  for (let i = 1; i <= 3; i++)
    await incident(`Dashboard login errors ${i}`, monthStartOf(2) + (40 + i) * HOUR, ids.Dashboard);
  // The older month: one of each.
  await incident('Login errors on the API', monthStartOf(3) + HOUR, ids.API);
  await incident('Slow dashboard charts', monthStartOf(3) + 2 * HOUR, ids.Dashboard);
}, 120_000);
afterAll(() => server?.stop());

const titles = (html: string) =>
  [...html.matchAll(/<h2[^>]*>\s*<a href="\/incidents\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
const get = async (path: string) => {
  const r = await fetch(server.url + path);
  return { status: r.status, html: await r.text(), cache: r.headers.get('x-cache') };
};

describe('filtering the history', () => {
  test('by component within a month, in pages of 25 whose links keep the filter', async () => {
    const first = await get(`/history?month=${recent}&component=${ids.API}`);
    expect(first.status).toBe(200);
    expect(first.html).toContain(`<h1>Incident history — `);
    expect(first.html).toMatch(/<h1>[^<]*, affecting API<\/h1>/);
    expect(titles(first.html)).toHaveLength(HISTORY_PAGE_SIZE);
    expect(titles(first.html).every((t) => t.startsWith('API error burst'))).toBe(true);
    expect(first.html).toContain(`Page 1 of 2 (${API_INCIDENTS} incidents, newest first)`);
    expect(first.html).toContain(`href="/history?month=${recent}&amp;component=${ids.API}&amp;page=2"`);
    // the month links keep the filter too
    expect(first.html).toContain(`href="/history?month=${older}&amp;component=${ids.API}"`);

    const second = await get(`/history?month=${recent}&component=${ids.API}&page=2`);
    expect(titles(second.html)).toEqual(['API error burst 2', 'API error burst 1']);
    expect((await get(`/history?month=${recent}&component=${ids.API}&page=3`)).status).toBe(404);

    const dashboard = await get(`/history?month=${recent}&component=${ids.Dashboard}`);
    expect(titles(dashboard.html)).toEqual([
      'Dashboard login errors 3',
      'Dashboard login errors 2',
      'Dashboard login errors 1',
    ]);
    expect(dashboard.html).not.toContain('Page 1 of');
  });

  test('by words in the title, in any case and order, across every month unless one is chosen', async () => {
    const everywhere = await get('/history?q=LOGIN%20errors');
    expect(everywhere.status).toBe(200);
    expect(everywhere.html).toMatch(/<h1>Incident history — all months, matching “LOGIN errors”<\/h1>/);
    expect(titles(everywhere.html)).toEqual([
      'Dashboard login errors 3',
      'Dashboard login errors 2',
      'Dashboard login errors 1',
      'Login errors on the API',
    ]);
    // combined with a component and a month
    expect(titles((await get(`/history?q=errors%20login&component=${ids.API}`)).html)).toEqual([
      'Login errors on the API',
    ]);
    const inMonth = await get(`/history?month=${older}&q=login`);
    expect(titles(inMonth.html)).toEqual(['Login errors on the API']);
    expect(inMonth.html).toContain(`href="/history?q=login">search every month</a>`);
    const none = await get(`/history?month=${older}&q=nothing+like+this`);
    expect(none.html).toContain('No incidents match in');
  });

  test('the filter form is a plain GET whose fields the URL carries back', async () => {
    const page = (await get(`/history?month=${older}&component=${ids.Dashboard}&q=slow`)).html;
    const form = /<form method="get" action="\/history"[\s\S]*?<\/form>/.exec(page)![0];
    expect(form).toContain(`<input type="hidden" name="month" value="${older}">`);
    expect(form).toMatch(new RegExp(`<option value="${ids.Dashboard}" selected>Dashboard</option>`));
    expect(form).toMatch(/<input id="history-q" name="q" type="search" maxlength="60" value="slow">/);
    expect(titles(page)).toEqual(['Slow dashboard charts']);
    // from the default page the form searches every month
    expect((await get('/history')).html).not.toContain('type="hidden" name="month"');
  });

  test('bad filters are refused in words: a component that is not an id, one that does not exist', async () => {
    const notAnId = await get('/history?component=abc');
    expect([notAnId.status, notAnId.html]).toEqual([
      400,
      'The component must be an id, a whole number from 1, for example component=2.',
    ]);
    const missing = await get('/history?component=999');
    expect([missing.status, missing.html]).toEqual([404, 'There is no component with id 999.']);
  });
});

describe('the page cache and the filters', () => {
  test('keys are canonical: spacing, junk and empty filters make no new entry; searches are marked', () => {
    // Public pages are keyed on the visitor's language too (tests/i18n.test.ts): here, the default.
    expect(canonicalRequest('/history', 'q=%20Login%20%20errors%20&utm=1&component=2')).toEqual({
      key: 'en|/history?component=2&q=Login+errors',
      url: '/history?component=2&q=Login+errors',
      searched: true,
    });
    // every id that is not one is the same refused page
    expect(canonicalRequest('/history', 'component=01').key).toBe('en|/history?component=x');
    expect(canonicalRequest('/history', 'component=%20abc').key).toBe('en|/history?component=x');
    expect(canonicalRequest('/history', 'component=&q=%20%20')).toEqual({
      key: 'en|/history',
      url: '/history',
      searched: false,
    });
    expect(canonicalRequest('/history', `q=${'a'.repeat(500)}`).key).toBe(`en|/history?q=${'a'.repeat(60)}`);
  });

  test('the same search written differently is one cached page', async () => {
    await get('/history?q=Login+errors');
    const again = await get('/history?q=%20Login%20%20errors&utm_source=mail');
    expect(again.cache).toBe('hit');
    expect(titles(again.html)).toHaveLength(4);
  });

  test('a flood of made-up searches does not push the status page and a month out of the cache', async () => {
    await get('/');
    await get(`/history?month=${recent}`);
    expect((await get('/')).cache).toBe('hit');
    // More distinct searches than the whole cache holds.
    const searches = Array.from({ length: 510 }, (_, i) => `/history?q=zz${i}`);
    for (let i = 0; i < searches.length; i += 10)
      await Promise.all(searches.slice(i, i + 10).map(async (path) => expect((await get(path)).status).toBe(200)));
    expect((await get('/')).cache).toBe('hit');
    expect((await get(`/history?month=${recent}`)).cache).toBe('hit');
    // The latest searches are still kept (in their own room).
    expect((await get(searches.at(-1)!)).cache).toBe('hit');
  }, 120_000);
});
