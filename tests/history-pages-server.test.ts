// A busy history through the real server: a month's incidents come in pages of 25 with stable
// links (`?month=…&page=2`, cached under that key), a page past the last is a 404 and a badly
// written page a 400; the status page shows at most 3 incidents a day and links the rest.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HISTORY_PAGE_SIZE, RECENT_PER_DAY } from '../src/domain/public-page.ts';
import { startServer, type TestServer } from './support/server.ts';

const DAY = 86_400_000;
let server: TestServer;
const now = Date.now();
// Two months back: a whole month, whatever today is.
const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - 2, 1);
const month = new Date(monthStart).toISOString().slice(0, 7);
const busyDay = Math.floor(now / DAY) * DAY - 2 * DAY;
const MONTH_INCIDENTS = HISTORY_PAGE_SIZE + 5;
const BUSY_DAY_INCIDENTS = RECENT_PER_DAY + 4;

const cards = (html: string) => html.split('class="card incident-card').length - 1;

beforeAll(async () => {
  const seeding = await startServer({ env: { CANDOR_SEED: '0' } });
  await seeding.stop();
  const db = createClient({ url: `file:${seeding.dbFile}` });
  const starts = [
    ...Array.from({ length: MONTH_INCIDENTS }, (_, i) => monthStart + i * 3_600_000),
    ...Array.from({ length: BUSY_DAY_INCIDENTS }, (_, i) => busyDay + i * 600_000),
  ];
  for (const [i, start] of starts.entries()) {
    await db.execute({
      sql: `INSERT INTO incidents (title, impact, status, started_at, resolved_at, created_at, updated_at)
            VALUES (?, 'minor', 'resolved', ?, ?, ?, ?)`,
      args: [`Incident number ${i + 1}`, start, start + 600_000, start, start + 600_000],
    });
  }
  db.close();
  server = await startServer({ dbFile: seeding.dbFile });
});
afterAll(() => server?.stop());

describe('history pages', () => {
  test('a month comes in pages of 25, newest first, with links between them', async () => {
    const first = await (await fetch(`${server.url}/history?month=${month}`)).text();
    expect(cards(first)).toBe(HISTORY_PAGE_SIZE);
    expect(first).toContain(`Incident number ${MONTH_INCIDENTS}<`);
    expect(first).toContain(`Page 1 of 2 (${MONTH_INCIDENTS} incidents, newest first)`);
    expect(first).toContain(`href="/history?month=${month}&amp;page=2"`);

    const second = await (await fetch(`${server.url}/history?month=${month}&page=2`)).text();
    expect(cards(second)).toBe(MONTH_INCIDENTS - HISTORY_PAGE_SIZE);
    expect(second).toContain('Incident number 1<');
    expect(second).toContain(`href="/history?month=${month}"`);
  });

  test('the page is part of the cache key; junk around it is not', async () => {
    const a = await fetch(`${server.url}/history?month=${month}&page=2&utm_source=x`);
    await a.text();
    const b = await fetch(`${server.url}/history?utm_source=y&page=2&month=${month}`);
    expect(b.headers.get('x-cache')).toBe('hit');
    expect(await b.text()).toContain('Incident number 1<');
  });

  test('a page past the last is a 404, a badly written one a 400, each saying why', async () => {
    const past = await fetch(`${server.url}/history?month=${month}&page=3`);
    expect(past.status).toBe(404);
    expect(await past.text()).toBe(`The incident history of ${month} has 2 pages; there is no page 3.`);
    for (const page of ['0', '02', 'x', '']) {
      const bad = await fetch(`${server.url}/history?month=${month}&page=${page}`);
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/page must be a whole number from 1/);
    }
  });

  test('the status page shows 3 incidents of a busy day and links the rest', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    expect(cards(html)).toBe(RECENT_PER_DAY);
    expect(html).toContain(`Incident number ${MONTH_INCIDENTS + BUSY_DAY_INCIDENTS}<`);
    const busyMonth = new Date(busyDay).toISOString().slice(0, 7);
    expect(html).toContain(`<a href="/history?month=${busyMonth}">4 more incidents on this day</a>`);
  });
});
