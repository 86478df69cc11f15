// Managing audiences on a real, migrated libSQL file: what members, IP ranges and single sign-on
// rules are accepted and how they are stored; every change audited and announced as a structure
// change in its transaction; passwords and rule changes raise credential_version; an audience
// still given components cannot be deleted; the one visibility rule sees the assignments.
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../src/db/client.ts';
import * as schema from '../src/db/schema/index.ts';
import { getAudience, whoSees } from '../src/domain/audiences/audience-reads.ts';
import { parseCidr, parseMember } from '../src/domain/audiences/audience-rules.ts';
import {
  addAudienceMembers,
  clearAudiencePassword,
  createAudience,
  deleteAudience,
  removeAudienceMember,
  setAudiencePassword,
  updateAudience,
} from '../src/domain/audiences/audiences.ts';
import { loadPublicVisibility } from '../src/domain/audiences/visibility.ts';
import { verifyPassword } from '../src/domain/auth/passwords.ts';
import { createComponent, createGroup, deleteGroup, updateComponent, updateGroup } from '../src/domain/components.ts';
import { ConflictError, InputError } from '../src/domain/errors.ts';
import { freshDb } from './support/db.ts';

let db: Db;

beforeEach(async () => {
  ({ db } = await freshDb());
});

const changes = async () => (await db.select().from(schema.changeEvents)).map((c) => c.kind);
const actions = async () => (await db.select().from(schema.auditLog)).map((a) => a.action);
const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(e instanceof InputError)) throw new Error(`expected a refusal, got ${String(e)}`);
  return e;
};

describe('what an audience may hold', () => {
  test('members are addresses or whole domains, lower-cased; anything else is refused', () => {
    expect(parseMember(' Ana@Example.COM ')).toEqual({ kind: 'email', value: 'ana@example.com' });
    expect(parseMember('@Customer.example')).toEqual({ kind: 'domain', value: 'customer.example' });
    expect(parseMember('customer.example')).toEqual({ kind: 'domain', value: 'customer.example' });
    expect(parseMember('bücher.example')).toEqual({ kind: 'domain', value: 'xn--bcher-kva.example' });
    for (const bad of ['', 'ana', 'ana@', '@', 'ana@localhost', 'two words.example', '10.0.0.1', 'a..b@x.example'])
      expect(parseMember(bad), bad).toBeNull();
  });

  test('IP ranges are CIDRs stored as their network; nonsense is refused with a reason', () => {
    expect(parseCidr('203.0.113.7/24')).toEqual({ cidr: '203.0.113.0/24' });
    expect(parseCidr('198.51.100.4')).toEqual({ cidr: '198.51.100.4/32' });
    expect(parseCidr('2001:DB8::1/32')).toEqual({ cidr: '2001:db8::/32' });
    expect(parseCidr('10.0.0.1/33')).toEqual({ problem: expect.stringMatching(/IPv4 prefix length is at most \/32/) });
    expect(parseCidr('2001:db8::/129')).toEqual({ problem: expect.stringMatching(/IPv6 prefix length is at most/) });
    expect(parseCidr('0.0.0.0/0')).toEqual({ problem: expect.stringMatching(/would admit every IPv4 address/) });
    for (const bad of ['10.1', '0x0a.0.0.1/8', '10.0.0.0/8/8', '10.0.0.0/x', 'example.com', 'fe80::1%eth0'])
      expect(parseCidr(bad), bad).toHaveProperty('problem');
  });

  test('a refused audience names each bad field and writes nothing', async () => {
    const e = await refusal(
      createAudience(db, {
        name: 'Enterprise',
        members: ['ana@example.com', 'not an address'],
        ipAllowlist: ['10.0.0.1/33'],
        ssoRules: [
          { claim: 'email_domain', value: 'ana@example.com' },
          { claim: 'role', value: 'x' },
        ],
      }),
    );
    expect(e.status).toBe(400);
    expect(e.details).toEqual([
      expect.stringMatching(/^members\.1: Members \(1\) must be an email address .* not "not an address"$/),
      expect.stringMatching(/^ipAllowlist\.0: IP ranges \(0\) has no IP range "10\.0\.0\.1\/33"/),
      expect.stringMatching(/^ssoRules\.0\.value: .*must be a domain such as example\.com/),
      expect.stringMatching(/^ssoRules\.1\.claim: .*must be one of email_domain, email, groups/),
    ]);
    expect(await db.select().from(schema.audiences)).toEqual([]);
    expect(await changes()).toEqual([]);
  });
});

describe('managing audiences', () => {
  test('create, change and delete are audited and announced; names are unique ignoring case', async () => {
    const api = await createComponent(db, { name: 'Private API' });
    const a = await createAudience(db, {
      name: 'Enterprise',
      members: ['ana@example.com', '@customer.example', 'ANA@example.com'],
      ipAllowlist: ['203.0.113.9/24'],
      ssoRules: [{ claim: 'groups', value: 'status-readers' }],
      componentIds: [api.id],
    });
    expect(a).toMatchObject({
      name: 'Enterprise',
      hasPassword: false,
      members: [
        { kind: 'email', value: 'ana@example.com' },
        { kind: 'domain', value: 'customer.example' },
      ],
      ipAllowlist: ['203.0.113.0/24'],
      componentIds: [api.id],
    });
    expect(await changes()).toEqual(['structure', 'structure']);
    const dup = await refusal(createAudience(db, { name: 'enterprise' }));
    expect(dup).toBeInstanceOf(ConflictError);
    expect(dup.message).toBe('An audience named "enterprise" already exists; choose another name.');

    // Two at once with one name: one is made, the other refused like any taken name, never a failure.
    const both = await Promise.allSettled([
      createAudience(db, { name: 'Twins' }),
      createAudience(db, { name: 'Twins' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(ConflictError) });

    const unknown = await refusal(updateAudience(db, a.id, { componentIds: [api.id, 999] }));
    expect(unknown.details).toEqual([
      'componentIds: Components must be ids of existing components; there is none with id 999',
    ]);

    await updateAudience(db, a.id, { members: ['bo@example.com', '@customer.example'] });
    expect(await actions()).toEqual([
      'component.create',
      'audience.create',
      'audience.create',
      'audience.member.remove',
      'audience.member.add',
    ]);

    const deleting = await refusal(deleteAudience(db, a.id));
    expect(deleting.status).toBe(409);
    expect(deleting.sentences).toEqual(['Component: Private API']);
    await updateAudience(db, a.id, { componentIds: [] });
    await deleteAudience(db, a.id);
    expect(await db.select().from(schema.audienceMembers)).toEqual([]);
    expect((await actions()).slice(-2)).toEqual(['audience.update', 'audience.delete']);
  });

  test('a password or single sign-on change raises credential_version; members come and go one by one', async () => {
    const a = await createAudience(db, { name: 'Partners' });
    expect(a.credentialVersion).toBe(1);
    const withPassword = await setAudiencePassword(db, a.id, { password: 'correct horse battery' });
    expect(withPassword).toMatchObject({ hasPassword: true, credentialVersion: 2 });
    const [row] = await db.select().from(schema.audiences).where(eq(schema.audiences.id, a.id));
    expect(await verifyPassword(row.passwordHash!, 'correct horse battery')).toBe(true);
    expect(JSON.stringify(await db.select().from(schema.auditLog))).not.toContain(row.passwordHash!);
    expect((await refusal(setAudiencePassword(db, a.id, { password: 'short' }))).details).toEqual([
      'password: Password must be at least 10 characters',
    ]);
    expect((await clearAudiencePassword(db, a.id)).credentialVersion).toBe(3);
    // Clearing nothing changes nothing.
    expect((await clearAudiencePassword(db, a.id)).credentialVersion).toBe(3);
    const rules = { ssoRules: [{ claim: 'email_domain', value: 'Partner.example' }] };
    expect((await updateAudience(db, a.id, rules)).credentialVersion).toBe(4);
    expect((await updateAudience(db, a.id, rules)).credentialVersion).toBe(4);
    expect((await getAudience(db, a.id)).ssoRules).toEqual([{ claim: 'email_domain', value: 'partner.example' }]);

    await addAudienceMembers(db, a.id, { members: ['x@partner.example', '@partner.example'] });
    await addAudienceMembers(db, a.id, { members: ['x@partner.example'] });
    await removeAudienceMember(db, a.id, { member: 'X@partner.example' });
    expect((await refusal(removeAudienceMember(db, a.id, { member: 'x@partner.example' }))).status).toBe(404);
    expect((await getAudience(db, a.id)).members).toEqual([{ kind: 'domain', value: 'partner.example' }]);
    expect((await actions()).filter((x) => x.startsWith('audience.'))).toEqual([
      'audience.create',
      'audience.password.set',
      'audience.password.clear',
      'audience.update',
      'audience.member.add',
      'audience.member.remove',
    ]);
  });

  test('components and groups are given from either side, and the visibility rule follows', async () => {
    const a = await createAudience(db, { name: 'Enterprise' });
    const group = await createGroup(db, { name: 'Dedicated' });
    const member = await createComponent(db, { name: 'Dedicated DB', groupId: group.id });
    const own = await createComponent(db, { name: 'Reports', audienceIds: [a.id] });
    const open = await createComponent(db, { name: 'Website' });
    await updateGroup(db, group.id, { name: 'Dedicated', audienceIds: [a.id] });
    expect(await getAudience(db, a.id)).toMatchObject({ componentIds: [own.id], groupIds: [group.id] });
    expect((await loadPublicVisibility(db)).hiddenComponentIds).toEqual([member.id, own.id]);
    expect(await whoSees(db, [member.id])).toEqual({ public: false, audiences: [{ id: a.id, name: 'Enterprise' }] });
    expect(await whoSees(db, [member.id, open.id])).toEqual({ public: true, audiences: [] });

    // Left out, a component's audiences stay; sent empty, it is public again.
    await updateComponent(db, own.id, { name: 'Reports v2' });
    expect((await getAudience(db, a.id)).componentIds).toEqual([own.id]);
    await updateComponent(db, own.id, { name: 'Reports v2', audienceIds: [] });
    expect((await getAudience(db, a.id)).componentIds).toEqual([]);
    const bad = await refusal(updateComponent(db, own.id, { name: 'Reports', audienceIds: [a.id, 42] }));
    expect(bad.details).toEqual([
      'audienceIds: Visible to must be ids of existing audiences; there is none with id 42',
    ]);
    const audits = (await db.select().from(schema.auditLog)).filter((e) => e.action.endsWith('.audiences'));
    expect(audits.map((e) => [e.action, e.before, e.after])).toEqual([
      ['component.audiences', '{"audienceIds":[]}', `{"audienceIds":[${a.id}]}`],
      ['group.audiences', '{"audienceIds":[]}', `{"audienceIds":[${a.id}]}`],
      ['component.audiences', `{"audienceIds":[${a.id}]}`, '{"audienceIds":[]}'],
    ]);
  });

  test('deleting a group given to audiences keeps its members hidden: they take its audiences', async () => {
    const a = await createAudience(db, { name: 'Enterprise' });
    const b = await createAudience(db, { name: 'Partners' });
    const group = await createGroup(db, { name: 'Dedicated', audienceIds: [a.id] });
    const follows = await createComponent(db, { name: 'Dedicated DB', groupId: group.id });
    const own = await createComponent(db, { name: 'Partner API', groupId: group.id, audienceIds: [b.id] });
    const before = (await loadPublicVisibility(db)).hiddenComponentIds;
    expect(before).toEqual([follows.id, own.id]);
    await deleteGroup(db, group.id);
    expect((await loadPublicVisibility(db)).hiddenComponentIds).toEqual(before);
    expect((await getAudience(db, a.id)).componentIds).toEqual([follows.id]);
    expect((await getAudience(db, b.id)).componentIds).toEqual([own.id]);
  });
});
