// Login limits hold when guesses arrive in parallel: each attempt takes its place in the account's
// and the address's budget before its password is checked, so no more guesses are checked than
// the budgets allow. Runs logIn against a real libSQL file; an attempt that did not answer 429 is
// one whose password was checked.
import { beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../src/db/client.ts';
import { LOGIN_LIMITS, logIn } from '../src/domain/auth/login.ts';
import { createUser } from '../src/domain/auth/users.ts';
import { RateLimitError } from '../src/domain/rate-limit.ts';
import { freshDb } from './support/db.ts';

let db: Db;
const PASSWORD = 'the right password';
beforeEach(async () => {
  ({ db } = await freshDb());
  await createUser(db, { email: 'victim@example.com', name: 'Victim', role: 'admin', password: PASSWORD });
});

type Outcome = 'in' | 'wrong' | 'refused';
async function attempt(email: string, password: string, address: string): Promise<Outcome> {
  try {
    return (await logIn(db, email, password, address)) ? 'in' : 'wrong';
  } catch (e) {
    if (e instanceof RateLimitError) return 'refused';
    throw e;
  }
}
const checked = (outcomes: Outcome[]) => outcomes.filter((o) => o !== 'refused').length;

describe('login limits under concurrency', () => {
  test('100 parallel wrong guesses at one account get exactly 10 passwords checked', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) => attempt('victim@example.com', `wrong ${i}`, '10.0.0.1')),
    );
    expect(checked(outcomes)).toBe(LOGIN_LIMITS.account.max);
    expect(await attempt('victim@example.com', PASSWORD, '10.0.0.2')).toBe('refused');
  });

  test('100 parallel wrong guesses from one address, each at a different account, get exactly 30 checked', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) => attempt(`user${i}@example.com`, 'wrong', '10.0.0.1')),
    );
    expect(checked(outcomes)).toBe(LOGIN_LIMITS.address.max);
  });

  test('after 9 failures, 25 parallel guesses including the right password get one checked', async () => {
    for (let i = 0; i < 9; i++) expect(await attempt('victim@example.com', 'wrong', `10.1.0.${i}`)).toBe('wrong');
    const guesses = [PASSWORD, ...Array.from({ length: 24 }, (_, i) => `wrong ${i}`)];
    const outcomes = await Promise.all(guesses.map((g, i) => attempt('victim@example.com', g, `10.2.0.${i}`)));
    expect(checked(outcomes)).toBe(1);
  });
});

describe('what counts', () => {
  test('a success clears the account and gives back its place in the address budget', async () => {
    for (let i = 0; i < 29; i++) expect(await attempt(`user${i}@example.com`, 'wrong', '10.0.0.1')).toBe('wrong');
    expect(await attempt('victim@example.com', PASSWORD, '10.0.0.1')).toBe('in');
    // The 30th failure is still allowed; only then is the address shut.
    expect(await attempt('someone@example.com', 'wrong', '10.0.0.1')).toBe('wrong');
    expect(await attempt('victim@example.com', PASSWORD, '10.0.0.1')).toBe('refused');
  });

  test('attempts refused for their address do not count against the account', async () => {
    for (let i = 0; i < 30; i++) expect(await attempt(`user${i}@example.com`, 'wrong', '10.0.0.1')).toBe('wrong');
    for (let i = 0; i < 15; i++) expect(await attempt('victim@example.com', 'wrong', '10.0.0.1')).toBe('refused');
    // From elsewhere, the account still has its whole budget of 10 failures.
    for (let i = 0; i < 10; i++) expect(await attempt('victim@example.com', 'wrong', '10.9.0.1')).toBe('wrong');
    expect(await attempt('victim@example.com', PASSWORD, '10.9.0.2')).toBe('refused');
  });

  test('the budgets renew after 15 minutes', async () => {
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) await logIn(db, 'victim@example.com', 'wrong', '10.0.0.1', t0);
    await expect(logIn(db, 'victim@example.com', PASSWORD, '10.0.0.1', t0 + 60_000)).rejects.toMatchObject({
      status: 429,
      retryAfterSeconds: 14 * 60,
    });
    expect(
      await logIn(db, 'victim@example.com', PASSWORD, '10.0.0.1', t0 + LOGIN_LIMITS.account.windowMs),
    ).toMatchObject({ email: 'victim@example.com' });
  });
});
