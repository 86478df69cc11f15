// The RCA lint's rules in detail: times in other zones are converted to UTC as GNU date (with the
// system's tz database) converts them, summer time included; cloud regions, the customer
// vocabulary and the page's components are public; internal names get wording from what they are;
// the demo seed's RCA lints clean; the README lists every rule.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lintReview } from '../src/domain/rca/lint-context.ts';
import { GLOSSARY, LINT_RULES, lintSectionText, VOCABULARY, type LintContext } from '../src/domain/rca/lint.ts';
import { reduceReview } from '../src/domain/rca/reduce.ts';
import { loadReview } from '../src/domain/rca/reviews.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { freshDb } from './support/db.ts';

const ctx = (over: Partial<LintContext> = {}): LintContext => ({
  glossary: GLOSSARY,
  people: [],
  startedAt: null,
  resolvedAt: null,
  referenceAt: Date.UTC(2026, 10, 3, 12),
  times: [],
  durations: [],
  committedActions: 1,
  ...over,
});

const findings = (text: string, over: Partial<LintContext> = {}) =>
  lintSectionText(text, ctx(over)).map((f) => [f.rule, f.match, f.suggestion]);

/** What GNU date makes of a local time, in UTC: the reference the lint's conversion is checked against. */
function gnuDateUtc(input: string, tz?: string): string {
  const date = spawnSync('date', ['-u', '-d', tz ? `TZ="${tz}" ${input}` : input, '+%H:%M'], { encoding: 'utf8' });
  expect(date.status, date.stderr).toBe(0);
  return date.stdout.trim();
}

describe('times in other zones', () => {
  test('"3:45 PM PST" is 23:45 UTC', () => {
    expect(findings('At 3:45 PM PST our monitoring alerted us.')).toEqual([['timezone', '3:45 PM PST', '23:45 UTC']]);
  });

  test.each([
    ['3:45 PM', 'PST'],
    ['11:20', 'EST'],
    ['4:10 AM', 'EDT'],
    ['09:10', 'CET'],
    ['18:30', 'CEST'],
    ['08:30', 'BST'],
    ['14:00', 'JST'],
    ['09:05', 'IST'],
  ])('"%s %s" converts as GNU date does', (time, zone) => {
    const [finding] = lintSectionText(`The fix was live at ${time} ${zone}.`, ctx());
    expect(finding.rule).toBe('timezone');
    expect(finding.suggestion).toBe(`${gnuDateUtc(`2026-11-03 ${time} ${zone}`)} UTC`);
  });

  // Zones named without saying summer or winter take the offset in force on the incident's day,
  // on both sides of a change: US 8 March and 1 November 2026, EU 29 March and 25 October 2026.
  test.each([
    ['ET', 'America/New_York', '2026-03-08', '01:30'],
    ['ET', 'America/New_York', '2026-03-08', '03:30'],
    ['Eastern time', 'America/New_York', '2026-11-01', '03:30'],
    ['Pacific time', 'America/Los_Angeles', '2026-07-15', '07:15'],
    ['PT', 'America/Los_Angeles', '2026-12-15', '07:15'],
    ['Central European time', 'Europe/Berlin', '2026-03-29', '01:30'],
    ['Central European time', 'Europe/Berlin', '2026-03-29', '03:30'],
    ['UK time', 'Europe/London', '2026-10-25', '00:30'],
    ['UK time', 'Europe/London', '2026-10-25', '02:30'],
    ['Sydney time', 'Australia/Sydney', '2026-04-05', '04:00'],
    ['Eastern European time', 'Europe/Bucharest', '2026-07-15', '10:00'],
    ['Eastern', 'America/New_York', '2026-07-15', '10:00'],
  ])('"%s" on the day of the incident (%s, %s %s)', (zone, tz, day, time) => {
    const referenceAt = Date.parse(`${day}T12:00:00Z`);
    const [finding] = lintSectionText(`Service came back at ${time} ${zone}.`, ctx({ referenceAt }));
    expect([finding.rule, finding.suggestion]).toEqual(['timezone', `${gnuDateUtc(`${day} ${time}`, tz)} UTC`]);
  });

  test('an evening in California is the next day in UTC (PST after 1 November), and the message says so', () => {
    const [finding] = lintSectionText('We rolled back at 7:15 PM Pacific time.', ctx());
    expect(finding.suggestion).toBe('03:15 UTC');
    expect(finding.message).toContain('the next day');
  });

  test('offsets convert; a time without a zone, or in "local time", is asked for in UTC', () => {
    expect(findings('It started around 22:10 +02:00.')).toEqual([['timezone', '22:10 +02:00', '20:10 UTC']]);
    expect(findings('It started at 16:00 local time.')).toEqual([
      ['timezone', '16:00 local time', '16:00 UTC (if 16:00 was UTC)'],
    ]);
    expect(findings('It started at 10:42 and ended at 11:07.')).toEqual([
      ['timezone', '10:42', '10:42 UTC'],
      ['timezone', '11:07', '11:07 UTC'],
    ]);
    expect(findings('It started at 10:42 UTC and ended at 11:07 UTC.')).toEqual([]);
  });
});

describe('what is public and what is internal', () => {
  test('cloud regions and zones are customer vocabulary, in any case', () => {
    expect(
      findings('Customers in US-EAST-1, eu-west-1, europe-west2, us-central1-b and ap-southeast-2 saw errors.'),
    ).toEqual([]);
  });

  test('identifier-looking words are internal, with wording from what they are', () => {
    expect(findings('The orders-db-west3 instance ran out of connections.')).toEqual([
      ['internal-name', 'orders-db-west3', 'one of our databases'],
    ]);
    expect(findings('Requests to the quota-svc timed out.')).toEqual([
      ['internal-name', 'quota-svc', 'the system that enforces account limits'],
    ]);
    expect(findings('The ledger-sync worker stopped.')).toEqual([
      ['internal-name', 'ledger-sync', 'one of our background processing systems'],
    ]);
    expect(findings('A bad release of billing_api caused it.').map(([rule]) => rule)).toEqual(['internal-name']);
    expect(findings('Reverting 3f9a2c1 restored service.').map(([rule]) => rule)).toEqual(['code-ref']);
  });

  test('the customer vocabulary and the page components make a name public', () => {
    const text = 'Our Hermes pipeline stopped delivering webhooks.';
    expect(findings(text).map(([rule, match]) => [rule, match])).toEqual([['internal-name', 'Hermes']]);
    expect(findings(text, { vocabulary: { ...VOCABULARY, public: [...VOCABULARY.public, 'Hermes'] } })).toEqual([]);
    expect(findings(text, { publicNames: ['Hermes'] })).toEqual([]);
  });

  test('an abbreviation spelt out next to it is explained; alone it is jargon', () => {
    expect(findings('Our write-ahead log (WAL) filled the disk.')).toEqual([]);
    expect(findings('The WAL filled the disk.').map(([rule, match]) => [rule, match])).toEqual([['jargon', 'WAL']]);
    expect(findings('The HPA did not add servers.')).toEqual([
      ['jargon', 'HPA', 'the system that adds servers automatically when load grows'],
    ]);
  });
});

describe('the rules', () => {
  test('every rule says why and has customer wording, and the README lists each one', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [rule, { why, fix, label }] of Object.entries(LINT_RULES)) {
      expect(why.length, rule).toBeGreaterThan(10);
      expect(fix.length, rule).toBeGreaterThan(1);
      const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(readme, rule).toMatch(new RegExp(`\\|\\s*\`${rule}\`\\s*\\|\\s*${escaped}\\s*\\|`));
    }
  });

  test('the demo seed reduces to an RCA the lint leaves alone', async () => {
    const { db } = await freshDb();
    await seedDemo(db);
    const view = await loadReview(db, 1);
    expect(lintReview(view, reduceReview(view).draft)).toEqual([]);
  });
});
