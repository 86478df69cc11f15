// The RCA review workflow as its people meet it on the real server: a fresh text lists what is
// still needed instead of showing errors, asking for review is refused while the lint finds
// errors (and says which), only someone who may approve sees "Approve this text" (the server
// refuses the others with a 403 that says why), a change request stays on the RCA page until the
// text is sent for review again, and counts agree with their nouns.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeDb, type Db } from '../src/db/client.ts';
import { createComponent } from '../src/domain/components.ts';
import { createIncident } from '../src/domain/incidents.ts';
import { saveActionItem } from '../src/domain/rca/commitments.ts';
import { loadReview, requestReview, saveFactor, saveTimelineEntry, updateReview } from '../src/domain/rca/reviews.ts';
import { assignOwner, checkReview, draftHash, reduceToDraft, saveDraft } from '../src/domain/rca/workflow.ts';
import { adminSession } from './support/admin-session.ts';
import { createUserWithToken } from './support/api.ts';
import { freshDb } from './support/db.ts';
import { startServer, type TestServer } from './support/server.ts';

const MIN = 60_000;
let server: TestServer;
let db: Db;
type Session = Awaited<ReturnType<typeof adminSession>>;
let owner: Session;
let reviewer: Session;
let ownerId: number;

beforeAll(async () => {
  const fresh = await freshDb();
  db = fresh.db;
  server = await startServer({ dbFile: fresh.file });
  const o = createUserWithToken(server.dbFile, 'author', 'maria@example.com', 'Maria Keller');
  const r = createUserWithToken(server.dbFile, 'author', 'ana@example.com', 'Ana Lima');
  owner = await adminSession(server.url, o.email, o.password);
  reviewer = await adminSession(server.url, r.email, r.password);
  const client = createClient({ url: `file:${server.dbFile}` });
  const ids = await client.execute(`select id, email from users where email = 'maria@example.com'`);
  client.close();
  ownerId = Number(ids.rows[0].id);
});
afterAll(async () => {
  closeDb();
  await server?.stop();
});

const actor = (id: number, name: string) => ({ id, name });

/** A resolved incident and a review with everything the reduction needs for a clean text. */
async function readyReview(title: string) {
  const started = Math.floor((Date.now() - 3 * 60 * MIN) / MIN) * MIN;
  const comp = await createComponent(db, { name: `${title} API` });
  const incident = await createIncident(
    db,
    {
      title,
      impact: 'major',
      message: 'We are investigating.',
      components: { [comp.id]: 'major_outage' },
      startedAt: new Date(started).toISOString(),
    },
    { id: null, name: 'Support' },
    started + 5 * MIN,
  );
  const maria = actor(ownerId, 'Maria Keller');
  const review = await requestReview(
    db,
    { title, severity: 'sev2', incidentIds: [incident.id], requestContext: 'Customers asked.' },
    maria,
  );
  await updateReview(
    db,
    review.id,
    {
      title,
      severity: 'sev2',
      incidentIds: [incident.id],
      detectedBy: 'monitoring',
      startedAt: new Date(started).toISOString(),
      detectedAt: new Date(started + 5 * MIN).toISOString(),
      mitigatedAt: new Date(started + 30 * MIN).toISOString(),
      resolvedAt: new Date(started + 60 * MIN).toISOString(),
    },
    maria,
  );
  await saveTimelineEntry(
    db,
    review.id,
    null,
    {
      at: new Date(started + 30 * MIN).toISOString(),
      actor: 'Maria Keller',
      kind: 'remediation',
      effect: 'positive',
      description: 'Rolled back',
      public: true,
      publicText: 'We undid the change.',
    },
    maria,
  );
  await saveFactor(
    db,
    review.id,
    null,
    { kind: 'trigger', description: 'Bad deploy', public: true, publicText: 'A software change broke our API.' },
    maria,
  );
  await saveActionItem(
    db,
    review.id,
    null,
    {
      title: 'Canary deploys',
      owner: 'Maria',
      priority: 'p1',
      dueAt: new Date(Date.now() + 20 * 24 * 60 * MIN).toISOString().slice(0, 10),
      category: 'prevent',
      public: true,
      publicText: 'Changes reach a few servers first.',
    },
    maria,
  );
  await assignOwner(db, review.id, { ownerId }, maria);
  return { id: review.id, maria };
}

const text = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

describe('the RCA page of a review', () => {
  test('a fresh text lists what is still needed, not errors; asking for review then lists the errors', async () => {
    const { id } = await readyReview('Fresh text');
    const page = await owner.get(`/admin/reviews/${id}/rca`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('class="lint-error"');
    expect(page.html.match(/class="lint-todo"/g)).toHaveLength(5);
    expect(text(page.html)).toContain('Still needed · Required section is empty:');
    expect(text(page.html)).toContain('5 things still needed');
    expect(text(page.html)).not.toMatch(/\d+ errors?,/);

    // Once something is typed, what is missing reads as errors, and asking for review lists them.
    const saved = await owner.post(`/admin/reviews/${id}/rca`, [
      ['action', 'save-draft'],
      ['title', 'Post-incident report: Fresh text'],
    ]);
    expect(saved.status).toBe(303);
    const typed = await owner.get(`/admin/reviews/${id}/rca`);
    expect(typed.html).not.toContain('class="lint-todo"');
    expect(text(typed.html)).toContain('4 errors, 0 warnings');
    const refused = await owner.post(`/admin/reviews/${id}/rca`, [['action', 'submit']]);
    expect(refused.status).toBe(409);
    const shown = text(refused.html);
    expect(shown).toContain('You cannot ask for review while the text has 4 lint errors. Fix them first:');
    expect(shown.match(/"Summary and impact" is required.*?\(Required section is empty\)/g)).toHaveLength(1);
    expect(refused.html.match(/class="lint-error"/g)).toHaveLength(4);
    expect((await loadReview(db, id)).state).toBe('drafting');
  });

  test('counts agree with their nouns: 1 warning, 0 errors', async () => {
    const { id, maria } = await readyReview('Plural text');
    await reduceToDraft(db, id, maria);
    const view = await loadReview(db, id);
    expect(checkReview(view, null).findings).toEqual([]);
    await saveDraft(db, id, { ...view.draft, summary: `${view.draft.summary} Sorry for any inconvenience.` }, maria);
    const page = text((await owner.get(`/admin/reviews/${id}/rca`)).html);
    expect(page).toContain('0 errors, 1 warning');
    expect(page).not.toMatch(/1 warnings|1 errors/);
    const live = await owner.postJson(`/admin/reviews/${id}/lint`, {
      ...view.draft,
      summary: `${view.draft.summary} Sorry for any inconvenience. We apologise for any inconvenience.`,
    });
    expect(live.json.summary).toBe('0 errors, 2 warnings');
  });

  test('only someone who may approve sees "Approve this text"; the others are refused with a 403 that says why', async () => {
    const { id, maria } = await readyReview('Approval');
    await reduceToDraft(db, id, maria);
    expect((await owner.post(`/admin/reviews/${id}/rca`, [['action', 'submit']])).status).toBe(303);
    const hash = draftHash((await loadReview(db, id)).draft);

    const mine = await owner.get(`/admin/reviews/${id}/rca`);
    expect(mine.html).not.toContain('Approve this text');
    expect(text(mine.html)).toContain('You wrote or own this RCA, so you cannot approve it');
    const forged = await owner.post(`/admin/reviews/${id}/rca`, [
      ['action', 'approve'],
      ['textHash', hash],
    ]);
    expect(forged.status).toBe(403);
    expect(text(forged.html)).toContain('You wrote or own this RCA, so you cannot approve it');

    // A lint error that appears while the text waits (public wording on the record) blocks approval too.
    const entry = (await loadReview(db, id)).timeline[0];
    await saveTimelineEntry(
      db,
      id,
      entry.id,
      {
        at: new Date(entry.at).toISOString(),
        actor: entry.actor,
        kind: entry.kind,
        effect: entry.effect,
        description: entry.description,
        public: true,
        publicText: 'Maria Keller undid the change on api-eu-3.example.net.',
      },
      maria,
    );
    const blocked = await reviewer.get(`/admin/reviews/${id}/rca`);
    expect(blocked.html).not.toContain('Approve this text');
    expect(text(blocked.html)).toMatch(/The text has \d lint errors, so it cannot be approved/);
    const early = await reviewer.post(`/admin/reviews/${id}/rca`, [
      ['action', 'approve'],
      ['textHash', hash],
    ]);
    expect(early.status).toBe(409);
    expect(text(early.html)).toMatch(/You cannot approve the text while the text has \d lint errors\. Fix them first:/);
    expect(text(early.html)).toContain(`Timeline entry #${entry.id} (public wording)`);

    await saveTimelineEntry(
      db,
      id,
      entry.id,
      {
        at: new Date(entry.at).toISOString(),
        actor: entry.actor,
        kind: entry.kind,
        effect: entry.effect,
        description: entry.description,
        public: true,
        publicText: 'We undid the change.',
      },
      maria,
    );
    const theirs = await reviewer.get(`/admin/reviews/${id}/rca`);
    expect(theirs.html).toContain('Approve this text');
    const approved = await reviewer.post(`/admin/reviews/${id}/rca`, [
      ['action', 'approve'],
      ['textHash', hash],
    ]);
    expect(approved.status).toBe(303);
    expect((await loadReview(db, id)).state).toBe('approved');
  });

  test('a change request stays on the RCA page the owner edits until the text is sent for review again', async () => {
    const { id, maria } = await readyReview('Change request');
    await reduceToDraft(db, id, maria);
    expect((await owner.post(`/admin/reviews/${id}/rca`, [['action', 'submit']])).status).toBe(303);
    expect((await owner.get(`/admin/reviews/${id}/rca`)).html).not.toContain('data-change-request');
    const asked = await reviewer.post(`/admin/reviews/${id}/rca`, [
      ['action', 'request-changes'],
      ['comment', 'Say when the next update came.'],
    ]);
    expect(asked.status).toBe(303);
    for (const session of [owner, reviewer]) {
      const page = await session.get(`/admin/reviews/${id}/rca`);
      const box = /<section[^>]*data-change-request[\s\S]*?<\/section>/.exec(page.html);
      expect(box, 'change request shown').not.toBeNull();
      expect(text(box![0])).toContain('Changes requested');
      expect(text(box![0])).toContain('Ana Lima');
      expect(text(box![0])).toContain('Say when the next update came.');
    }
    // editing alone does not answer it; sending it back for review does
    const view = await loadReview(db, id);
    await saveDraft(db, id, { ...view.draft, recommendations: 'Retry with backoff.' }, maria);
    expect((await owner.get(`/admin/reviews/${id}/rca`)).html).toContain('data-change-request');
    expect((await owner.post(`/admin/reviews/${id}/rca`, [['action', 'submit']])).status).toBe(303);
    expect((await owner.get(`/admin/reviews/${id}/rca`)).html).not.toContain('data-change-request');
  });
});
