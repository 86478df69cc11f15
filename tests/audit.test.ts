// The audit log in the domain: who changed what, before and after, attributed to the actor in
// force; append-only in the database.
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema/index.ts';
import { listAudit, runAs } from '../src/domain/audit.ts';
import { createComponent, updateComponent } from '../src/domain/components.ts';
import { freshDb } from './support/db.ts';

describe('audit log (domain)', () => {
  test('changes are attributed to the actor in force, with before and after; entries cannot be changed or removed', async () => {
    const { db } = await freshDb();
    const c = await runAs({ kind: 'user', id: 7, name: 'Ada' }, () => createComponent(db, { name: 'API' }));
    await runAs({ kind: 'token', id: 7, name: 'Ada' }, () => updateComponent(db, c.id, { name: 'Public API' }));
    const { entries } = await listAudit(db, {});
    expect(entries.map((e) => [e.actorKind, e.actorName, e.action, e.subjectType, e.subjectId])).toEqual([
      ['token', 'Ada', 'component.update', 'component', String(c.id)],
      ['user', 'Ada', 'component.create', 'component', String(c.id)],
    ]);
    expect(JSON.parse(entries[0].before!).name).toBe('API');
    expect(JSON.parse(entries[0].after!).name).toBe('Public API');
    const failure = (run: Promise<unknown>) =>
      run.then(
        () => 'no error',
        (e: Error & { cause?: unknown }) => String(e.cause ?? e),
      );
    expect(await failure(db.run(sql`update audit_log set actor_name = 'Mallory'`))).toMatch(
      /the audit log is append-only/,
    );
    expect(await failure(db.run(sql`delete from audit_log`))).toMatch(/the audit log is append-only/);
    expect((await db.select().from(schema.auditLog)).map((e) => e.actorName)).toEqual(['Ada', 'Ada']);
    expect((await listAudit(db, { actorKind: 'user' })).entries).toHaveLength(1);
    expect((await listAudit(db, { action: 'component.up' })).entries.map((e) => e.action)).toEqual([
      'component.update',
    ]);
  });
});
