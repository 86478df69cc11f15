// The audience rule applied on the read path (issue 20), on a real migrated libSQL file: who sees
// which components and groups, the status page and overall status each reader gets, which
// subscribers a broadcast reaches and what it names to them; and the viewer gate's pure parts.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../src/db/client.ts';
import {
  audiences,
  componentAudiences,
  groupAudiences,
  subscriberAudiences,
  subscribers,
} from '../src/db/schema/index.ts';
import { choosableComponents } from '../src/domain/audiences/choosable.ts';
import { audienceViewer, PUBLIC_VIEWER } from '../src/domain/audiences/viewer.ts';
import { loadVisibility, type Visibility } from '../src/domain/audiences/visibility.ts';
import { createComponent, createGroup } from '../src/domain/components.ts';
import { createIncident } from '../src/domain/incidents.ts';
import { loadStatusPage } from '../src/domain/public-page.ts';
import { allowlistOf, carriesViewerCookie } from '../src/server/viewer-gate.ts';
import { freshDb } from './support/db.ts';

let db: Db;
const id = { web: 0, a: 0, b: 0, group: 0, one: 0, two: 0, publicSub: 0, oneSub: 0 };
let publicView: Visibility;
let oneView: Visibility;
let twoView: Visibility;
const author = { id: null, name: 'Test' };

beforeAll(async () => {
  ({ db } = await freshDb());
  const now = Date.now();
  id.web = (await createComponent(db, { name: 'Web' })).id;
  id.group = (await createGroup(db, { name: 'Partner group' })).id;
  id.a = (await createComponent(db, { name: 'Ledger', groupId: id.group })).id;
  id.b = (await createComponent(db, { name: 'Vault', groupId: id.group })).id;
  [{ id: id.one }, { id: id.two }] = await db
    .insert(audiences)
    .values([
      { name: 'One', createdAt: now, updatedAt: now },
      { name: 'Two', createdAt: now, updatedAt: now },
    ])
    .returning({ id: audiences.id });
  // The group is One's; Vault has audiences of its own (Two's), which override its group's.
  await db.insert(groupAudiences).values({ groupId: id.group, audienceId: id.one });
  await db.insert(componentAudiences).values({ componentId: id.b, audienceId: id.two });
  const subscriber = (address: string) => ({
    kind: 'email' as const,
    address,
    state: 'active' as const,
    manageToken: address,
    source: 'public',
    createdAt: now,
  });
  [{ id: id.publicSub }, { id: id.oneSub }] = await db
    .insert(subscribers)
    .values([subscriber('public@example.com'), subscriber('one@example.com')])
    .returning({ id: subscribers.id });
  await db.insert(subscriberAudiences).values({ subscriberId: id.oneSub, audienceId: id.one });
  publicView = await loadVisibility(db, PUBLIC_VIEWER);
  oneView = await loadVisibility(db, audienceViewer([id.one]));
  twoView = await loadVisibility(db, audienceViewer([id.two]));
});

const names = async (v: Visibility) => {
  const page = await loadStatusPage(db, v);
  return {
    groups: page.groups.map((g) => [g.name, g.components.map((c) => c.name)]),
    ungrouped: page.ungrouped.map((c) => c.name),
  };
};

describe('what each reader sees', () => {
  test('the public sees neither the group nor its components; each audience its own', async () => {
    expect(publicView.hiddenComponentIds).toEqual([id.a, id.b]);
    expect(await names(publicView)).toEqual({ groups: [], ungrouped: ['Web'] });
    expect(await names(oneView)).toEqual({ groups: [['Partner group', ['Ledger']]], ungrouped: ['Web'] });
    // Two sees Vault, but not One's group: Vault stands outside any group, its group unnamed.
    expect(await names(twoView)).toEqual({ groups: [], ungrouped: ['Web', 'Vault'] });
    const choices = await choosableComponents(db, twoView);
    expect(choices.groups).toEqual([]);
    expect(choices.components.map((c) => c.name)).toEqual(['Web', 'Vault']);
  });

  test("an audience's incident is theirs alone, in the lists, the overall status and the subscribers told", async () => {
    const before = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM deliveries`);
    await createIncident(
      db,
      { title: 'Ledger down', impact: 'critical', message: 'Down.', components: { [id.a]: 'major_outage' } },
      author,
    );
    const pub = await loadStatusPage(db, publicView);
    expect(pub.activeIncidents).toEqual([]);
    expect(pub.overall.indicator).toBe('none');
    const one = await loadStatusPage(db, oneView);
    expect(one.activeIncidents.map((i) => i.title)).toEqual(['Ledger down']);
    expect(one.overall.indicator).toBe('critical');
    const told = await db.all<{ subscriber_id: number }>(
      sql`SELECT subscriber_id FROM deliveries ORDER BY id LIMIT -1 OFFSET ${before[0].n}`,
    );
    expect(told.map((r) => r.subscriber_id)).toEqual([id.oneSub]);
  });

  test('a mixed incident reaches everyone, each told only the components they see', async () => {
    await createIncident(
      db,
      {
        title: 'Web and ledger slow',
        impact: 'minor',
        message: 'Slow.',
        components: { [id.web]: 'degraded_performance', [id.a]: 'degraded_performance' },
      },
      author,
    );
    const rows = await db.all<{ subscriber_id: number; payload: string }>(sql`
      SELECT d.subscriber_id, n.payload FROM deliveries d JOIN notifications n ON n.id = d.notification_id
      WHERE n.payload LIKE '%Web and ledger slow%' ORDER BY d.subscriber_id`);
    const componentsFor = (subscriber: number) =>
      (
        JSON.parse(rows.find((r) => r.subscriber_id === subscriber)!.payload) as {
          incident: { components: { name: string }[] };
        }
      ).incident.components.map((c) => c.name);
    expect(rows.map((r) => r.subscriber_id)).toEqual([id.publicSub, id.oneSub]);
    expect(componentsFor(id.publicSub)).toEqual(['Web']);
    expect(componentsFor(id.oneSub).sort()).toEqual(['Ledger', 'Web']);
    expect(rows.find((r) => r.subscriber_id === id.publicSub)!.payload).not.toContain('Ledger');
  });
});

describe('the viewer gate', () => {
  test('knows the viewer cookie by name only, wherever it stands', () => {
    expect(carriesViewerCookie('candor_viewer=abc')).toBe(true);
    expect(carriesViewerCookie('lang=de; candor_viewer=abc')).toBe(true);
    expect(carriesViewerCookie('lang=de;candor_viewer=')).toBe(true);
    expect(carriesViewerCookie('not_candor_viewer=abc')).toBe(false);
    expect(carriesViewerCookie('lang=candor_viewer=abc')).toBe(false);
    expect(carriesViewerCookie(undefined)).toBe(false);
  });

  test('reads every audience allowlist into one list, skipping what is not an address', () => {
    expect(allowlistOf(['[]', '[]'])).toBeNull();
    const list = allowlistOf(['["10.1.0.0/16"]', '["2001:db8::/32", "nonsense", "10.9.9.9"]', 'not json'])!;
    expect(list.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(list.check('10.2.0.1', 'ipv4')).toBe(false);
    expect(list.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(list.check('2001:db8::1', 'ipv6')).toBe(true);
  });
});
