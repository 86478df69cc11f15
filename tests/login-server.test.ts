// Password guessing is limited per account and per address, counted in the database. The server
// runs with TRUST_PROXY=1, as behind one proxy: the test is that proxy (the socket peer), and the
// last X-Forwarded-For entry is the address it saw.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { TRUST_PROXY: '1' } });
});
afterAll(async () => {
  await server?.stop();
});

async function login(email: string, password: string, ip: string) {
  const r = await fetch(`${server.url}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, 'x-forwarded-for': ip },
    body: new URLSearchParams({ email, password }).toString(),
    redirect: 'manual',
  });
  return { status: r.status, retryAfter: r.headers.get('retry-after'), html: await r.text() };
}

describe('login rate limits', () => {
  test('10 failures lock the account (even with the right password) but not others; success clears the count', async () => {
    const victim = createUserWithToken(server.dbFile, 'admin', 'victim@example.com', 'Victim');
    const other = createUserWithToken(server.dbFile, 'support', 'other@example.com', 'Other');
    // a success clears earlier failures
    for (let i = 0; i < 9; i++) expect((await login('victim@example.com', 'wrong', `10.1.0.${i}`)).status).toBe(400);
    expect((await login('Victim@Example.com', victim.password, '10.1.1.1')).status).toBe(303);
    for (let i = 0; i < 10; i++) expect((await login('victim@example.com', 'wrong', `10.2.0.${i}`)).status).toBe(400);
    const locked = await login('victim@example.com', victim.password, '10.3.0.1');
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(locked.html).toContain('Too many failed logins.');
    expect((await login('other@example.com', other.password, '10.3.0.1')).status).toBe(303);
  });

  test('30 failures from one address lock that address for every account', async () => {
    const user = createUserWithToken(server.dbFile, 'support', 'calm@example.com', 'Calm');
    for (let i = 0; i < 30; i++) expect((await login(`nobody${i}@example.com`, 'wrong', '10.9.9.9')).status).toBe(400);
    expect((await login('calm@example.com', user.password, '10.9.9.9')).status).toBe(429);
    expect((await login('calm@example.com', user.password, '10.9.9.8')).status).toBe(303);
  });

  test('parallel guesses get no more passwords checked than the budget allows', async () => {
    const user = createUserWithToken(server.dbFile, 'support', 'rush@example.com', 'Rush');
    const wrong = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login('rush@example.com', `wrong ${i}`, `10.4.${i}.1`)),
    );
    expect(wrong.filter((r) => r.status !== 429)).toHaveLength(10);
    expect(wrong.filter((r) => r.status === 429)).toHaveLength(90);

    const other = createUserWithToken(server.dbFile, 'support', 'nine@example.com', 'Nine');
    for (let i = 0; i < 9; i++) expect((await login('nine@example.com', 'wrong', `10.5.0.${i}`)).status).toBe(400);
    const guesses = [other.password, ...Array.from({ length: 24 }, (_, i) => `wrong ${i}`)];
    const answers = await Promise.all(guesses.map((g, i) => login('nine@example.com', g, `10.6.0.${i}`)));
    expect(answers.filter((r) => r.status !== 429)).toHaveLength(1);
    expect((await login('rush@example.com', user.password, '10.4.200.1')).status).toBe(429);
  });

  test("forged X-Forwarded-For entries in front of the proxy's own do not spread failures over addresses", async () => {
    const user = createUserWithToken(server.dbFile, 'support', 'steady@example.com', 'Steady');
    for (let i = 0; i < 30; i++) {
      expect((await login(`forger${i}@example.com`, 'wrong', `192.0.2.${i}, 172.16.${i}.1, 203.0.113.50`)).status).toBe(
        400,
      );
    }
    const refused = await login('steady@example.com', user.password, '198.51.100.99, 203.0.113.50');
    expect(refused.status).toBe(429);
    expect(refused.html).toContain('Too many failed logins.');
    expect((await login('steady@example.com', user.password, '203.0.113.50, 203.0.113.51')).status).toBe(303);
  });
});
