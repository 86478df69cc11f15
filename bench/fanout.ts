// Subscriber fan-out: one incident update to 100,000 confirmed email subscribers, sent through the
// real resend SDK to a local server speaking Resend's API, first unthrottled, then limited to
// Resend's default of 2 requests per second, where the reference is the 200 emails/s ceiling
// (2 calls × 100 emails). Prints emails handed over per second, time to the last one, and the
// throttled rate as a fraction of the ceiling.
import { api, createUserWithToken } from '../tests/support/api.ts';
import { ResendMock } from '../tests/support/resend-mock.ts';
import { startServer, tempDbFile } from '../tests/support/server.ts';
import { addConfirmedSubscribers, mailEnv, waitFor } from '../tests/support/subscribers.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const THROTTLED_SUBSCRIBERS = Number(process.env.BENCH_THROTTLED_SUBSCRIBERS ?? 4_000);

async function fanOut(count: number, requestsPerSecond: number) {
  const mock = new ResendMock({ keepContent: false, requestsPerSecond });
  await mock.start();
  const dbFile = tempDbFile();
  const server = await startServer({
    dbFile,
    env: mailEnv(mock, { CANDOR_SEED: '0', CANDOR_RETRY_BASE_MS: '1000', CANDOR_RETRY_MAX_MS: '10000' }),
  });
  try {
    await addConfirmedSubscribers(dbFile, count);
    const { token } = createUserWithToken(dbFile, 'support');
    const started = Date.now();
    const posted = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Fan-out benchmark',
      impact: 'major',
      message: 'Investigating.',
    });
    if (posted.status !== 201) throw new Error(`posting failed: ${JSON.stringify(posted.body)}`);
    const postMs = Date.now() - started;
    await waitFor(`${count} emails`, () => mock.acceptedCount >= count, 30 * 60_000);
    const duplicates = mock.duplicates().length;
    if (duplicates || mock.perRecipient.size !== count)
      throw new Error(
        `expected ${count} recipients once each, got ${mock.perRecipient.size} with ${duplicates} duplicated`,
      );
    const calls = mock.requests.filter((r) => r.status === 200 && !r.replay);
    return {
      postMs,
      totalMs: mock.lastAcceptedAt - started,
      spanMs: mock.lastAcceptedAt - mock.firstAcceptedAt,
      firstCallEmails: calls[0].emails,
      limited: mock.requests.filter((r) => r.status === 429).length,
      calls: calls.length,
    };
  } finally {
    await server.stop();
    await mock.stop();
  }
}

const free = await fanOut(SUBSCRIBERS, 0);
console.log(`fan-out, unthrottled: ${SUBSCRIBERS} subscribers, ${free.calls} batch calls`);
console.log(`  update posted (event + ${SUBSCRIBERS} deliveries in one transaction): ${free.postMs} ms`);
console.log(
  `  last email handed to the provider after ${(free.totalMs / 1000).toFixed(1)} s (target < 30 s): ${Math.round(SUBSCRIBERS / (free.totalMs / 1000))} emails/s`,
);

const CEILING = 200;
const slow = await fanOut(THROTTLED_SUBSCRIBERS, 2);
// The first second's calls go out at once; from then on the limit sets the pace.
const steady = (THROTTLED_SUBSCRIBERS - slow.firstCallEmails * 2) / (slow.spanMs / 1000);
console.log(
  `fan-out, provider limited to 2 requests/s: ${THROTTLED_SUBSCRIBERS} subscribers, ${slow.calls} batch calls, ${slow.limited} answered 429`,
);
console.log(`  ${Math.round(steady)} emails/s after the first second, ${(slow.totalMs / 1000).toFixed(1)} s in all`);
console.log(`  ratio to the ${CEILING} emails/s ceiling: ${(steady / CEILING).toFixed(2)} (target >= 0.95)`);
