// Viewer sign-ins in the audit log (issue 20): who got in to which audience and how, and who was
// refused. The viewer is the actor (by the address proven, or "shared password"), so the log reads
// like staff actions do. A refusal before anyone is known (an unknown link) is not recorded.
import { recordAudit, runAs } from '../audit.ts';
import type { DbOrTx } from '../../db/client.ts';
import type { GrantMethod } from './viewer-sessions.ts';

const actorFor = (email: string | null) => ({ kind: 'viewer' as const, id: null, name: email ?? 'shared password' });

/** One `audience.signin` entry per audience admitted to. */
export async function recordSignIn(
  db: DbOrTx,
  entry: { method: GrantMethod; email: string | null; audienceIds: readonly number[] },
  now = Date.now(),
): Promise<void> {
  await runAs(actorFor(entry.email), async () => {
    for (const id of entry.audienceIds) {
      await recordAudit(
        db,
        {
          action: 'audience.signin',
          subjectType: 'audience',
          subjectId: id,
          after: { method: entry.method, email: entry.email },
        },
        now,
      );
    }
  });
}

/** An `audience.signin_failed` entry: on the audience when one was named, else on the address. */
export async function recordSignInFailure(
  db: DbOrTx,
  entry: {
    method: GrantMethod;
    email: string | null;
    reason: string;
    audienceId?: number | null;
    audienceName?: string;
  },
  now = Date.now(),
): Promise<void> {
  const subject =
    entry.audienceId != null
      ? { subjectType: 'audience', subjectId: entry.audienceId }
      : { subjectType: 'viewer', subjectId: entry.email ?? entry.audienceName ?? 'unknown' };
  await runAs(actorFor(entry.email), () =>
    recordAudit(
      db,
      {
        action: 'audience.signin_failed',
        ...subject,
        after: {
          method: entry.method,
          email: entry.email,
          reason: entry.reason,
          ...(entry.audienceName !== undefined ? { audience: entry.audienceName } : {}),
        },
      },
      now,
    ),
  );
}
