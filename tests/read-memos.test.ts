// What the read path remembers between renders gives what it would have computed: incident lists
// read as JSON hold the same incidents, updates and component changes, in order, as the tables;
// remembered times read as Intl and toISOString write them; remembered card markup is rendered
// again for any change of what it is made from, and the memo forgets the least recently used.
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema/index.ts';
import type { Db } from '../src/db/client.ts';
import { createComponent } from '../src/domain/components.ts';
import { formatInZone, formatUtc, formatUtcDay, isoOrNull, isoTime } from '../src/domain/format.ts';
import { createIncident, getIncident, loadIncidentList, postIncidentUpdate } from '../src/domain/incidents.ts';
import { rememberedHtml } from '../src/web/render-memo.ts';
import { freshDb } from './support/db.ts';

const author = { id: null, name: 'Tester' };
const T = Date.parse('2026-11-20T08:00:00Z');
const MIN = 60_000;

describe('incident lists read as JSON', () => {
  let db: Db;
  beforeEach(async () => {
    ({ db } = await freshDb());
  });

  test('newest first by start or by creation, the id breaking ties, a page at a time, with every update and change', async () => {
    const api = await createComponent(db, { name: 'API' });
    const web = await createComponent(db, { name: 'Web' });
    // Two incidents start at the same minute; the third starts earliest but is created last.
    const a = await createIncident(
      db,
      { title: 'A', impact: 'minor', message: 'a0', components: { [web.id]: 'degraded_performance' }, startedAt: T },
      author,
      T,
    );
    const b = await createIncident(db, { title: 'B', impact: 'major', message: 'b0', startedAt: T }, author, T + MIN);
    const c = await createIncident(
      db,
      { title: 'C', impact: 'minor', message: 'c0', startedAt: T - 60 * MIN },
      author,
      T + 2 * MIN,
    );
    await postIncidentUpdate(
      db,
      a.id,
      { status: 'identified', message: 'a1', components: { [api.id]: 'major_outage', [web.id]: 'partial_outage' } },
      author,
      T + 3 * MIN,
    );

    const byStart = await loadIncidentList(db, undefined, 'startedAt');
    expect(byStart.map((i) => i.title)).toEqual(['B', 'A', 'C']);
    const byCreation = await loadIncidentList(db, undefined, 'createdAt');
    expect(byCreation.map((i) => i.title)).toEqual(['C', 'B', 'A']);
    expect((await loadIncidentList(db, undefined, 'startedAt', { limit: 1, offset: 1 })).map((i) => i.title)).toEqual([
      'A',
    ]);
    expect(await loadIncidentList(db, eq(schema.incidents.title, 'none'), 'startedAt')).toEqual([]);

    // The same incident as getIncident reads it: every field, updates newest first, changes by component.
    const listed = byStart.find((i) => i.id === a.id)!;
    expect(listed).toEqual(await getIncident(db, a.id));
    expect(listed.published).toBe(true);
    expect(listed.updates.map((u) => u.body)).toEqual(['a1', 'a0']);
    expect(listed.updates[0].affected).toEqual([
      { componentId: api.id, name: 'API', oldStatus: 'operational', newStatus: 'major_outage' },
      { componentId: web.id, name: 'Web', oldStatus: 'degraded_performance', newStatus: 'partial_outage' },
    ]);
    expect(byStart.find((i) => i.id === b.id)!.updates[0].affected).toEqual([]);
    expect(c.id).toBeGreaterThan(b.id);
  });
});

describe('remembered times', () => {
  const times = [0, T, T + 59_999, Date.parse('2024-02-29T23:59:59.999Z'), Date.parse('1999-12-31T23:00:00Z')];

  test('read exactly as Intl and toISOString write them, asked once or many times', () => {
    for (let round = 0; round < 2; round++) {
      for (const ms of times) {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        expect(isoOrNull(ms)).toBe(new Date(ms).toISOString());
        expect(formatUtc(ms, 'de')).toBe(
          `${new Intl.DateTimeFormat('de', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hourCycle: 'h23' }).format(ms)} UTC`,
        );
        expect(formatUtcDay(ms, 'fr')).toBe(
          new Intl.DateTimeFormat('fr', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
            ms,
          ),
        );
      }
    }
    expect(isoOrNull(null)).toBeNull();
  });

  test('each zone and language its own: the same time reads differently in Paris and Tokyo', () => {
    const paris = formatInZone(T, 'Europe/Paris', 'en');
    const tokyo = formatInZone(T, 'Asia/Tokyo', 'en');
    expect(paris).toMatch(/09:00/);
    expect(tokyo).toMatch(/17:00/);
    expect(formatInZone(T, 'Europe/Paris', 'en')).toBe(paris);
    expect(formatInZone(T, 'Europe/Paris', 'ja')).not.toBe(paris);
  });

  test('an invalid time is still an error, not a remembered answer', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});

describe('remembered markup', () => {
  test('rendered once per input; any change in the input renders again', async () => {
    let renders = 0;
    const render = (html: string) => async () => {
      renders++;
      return html;
    };
    const card = { id: 1, title: 'Login errors', updates: [{ body: 'Teh login' }] };
    expect(await rememberedHtml(['Card', card], render('<p>Teh login</p>'))).toBe('<p>Teh login</p>');
    expect(await rememberedHtml(['Card', { ...card }], render('never'))).toBe('<p>Teh login</p>');
    expect(renders).toBe(1);
    const corrected = { ...card, updates: [{ body: 'The login' }] };
    expect(await rememberedHtml(['Card', corrected], render('<p>The login</p>'))).toBe('<p>The login</p>');
    // Another component with the same input is not the same markup.
    expect(await rememberedHtml(['Other', card], render('<div>other</div>'))).toBe('<div>other</div>');
    expect(renders).toBe(3);
  });

  test('holds 500 inputs and forgets the least recently used first', async () => {
    let renders = 0;
    const render = async () => String(++renders);
    await rememberedHtml(['LRU', 0], render);
    for (let i = 1; i < 500; i++) {
      await rememberedHtml(['LRU', i], render);
      // Input 0 is used all along, so it is never the least recently used.
      await rememberedHtml(['LRU', 0], render);
    }
    const before = renders;
    await rememberedHtml(['LRU', 'new'], render);
    expect(await rememberedHtml(['LRU', 0], render)).toBe('1');
    await rememberedHtml(['LRU', 1], render);
    expect(renders).toBe(before + 2);
  });
});
