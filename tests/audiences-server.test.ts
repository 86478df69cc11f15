// Managing audiences through the real built server: API v1 round trip and its refusals, the audit
// entries and structure changes each write leaves, audience_ids on components and groups, and the
// admin pages driven by plain form posts (no JavaScript) with a session cookie, as a browser sends.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashToken } from '../src/domain/auth/tokens.ts';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken, openIncidentAs } from './support/api.ts';
import { queryRows } from './support/db.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let admin: { token: string; password: string; email: string };
let support: string;
let reader: string;
let session: Awaited<ReturnType<typeof adminSession>>;

beforeAll(async () => {
  server = await startServer({ env: { CANDOR_WORKER: '0' } });
  admin = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
  support = createUserWithToken(server.dbFile, 'support', 'desk@example.com', 'Desk').token;
  reader = createUserWithToken(server.dbFile, 'admin', 'reader@example.com', 'Reader', 'read').token;
  session = await adminSession(server.url, admin.email, admin.password);
});
afterAll(async () => {
  await server?.stop();
});

const v1 = (method: string, path: string, body?: unknown, token = admin.token) =>
  api(server.url, token, method, `/api/v1${path}`, body);
const rows = (sql: string, args: (string | number)[] = []) => queryRows(server.dbFile, sql, args);
const structureChanges = async () =>
  Number((await rows("select count(*) as n from change_events where kind = 'structure'"))[0].n);
const newComponent = async (name: string) => (await v1('POST', '/components', { name })).body.component.id as number;

describe('audiences through API v1', () => {
  test('a round trip: create, read, change, password, delete; each write audited and announced', async () => {
    const componentId = await newComponent('Dedicated cluster');
    const groupId = (await v1('POST', '/groups', { name: 'Private region' })).body.group.id as number;
    const before = await structureChanges();
    const created = await v1('POST', '/audiences', {
      name: 'Enterprise',
      description: 'Dedicated plan customers',
      members: ['Ana@Customer.example', '@partner.example'],
      ipAllowlist: ['203.0.113.9/24', '2001:db8::/32'],
      ssoRules: [{ claim: 'email_domain', value: 'Customer.example' }],
      componentIds: [componentId],
      groupIds: [groupId],
    });
    expect(created.status).toBe(201);
    const id = created.body.audience.id as number;
    expect(created.body.audience).toMatchObject({
      name: 'Enterprise',
      members: ['ana@customer.example', '@partner.example'],
      has_password: false,
      ip_allowlist: ['203.0.113.0/24', '2001:db8::/32'],
      sso_rules: [{ claim: 'email_domain', value: 'customer.example' }],
      component_ids: [componentId],
      group_ids: [groupId],
    });
    expect(await structureChanges()).toBe(before + 1);
    expect((await v1('GET', `/audiences/${id}`)).body).toEqual(created.body);
    expect((await v1('GET', '/audiences')).body.audiences).toEqual([created.body.audience]);
    // Components and groups name their audiences.
    expect((await v1('GET', `/components/${componentId}`)).body.component.audience_ids).toEqual([id]);
    expect((await v1('GET', '/groups')).body.groups.find((g: { id: number }) => g.id === groupId).audience_ids).toEqual(
      [id],
    );

    const changed = await v1('PATCH', `/audiences/${id}`, { members: ['bo@customer.example'], groupIds: [] });
    expect(changed.status).toBe(200);
    expect(changed.body.audience).toMatchObject({ members: ['bo@customer.example'], group_ids: [] });

    const version = async () =>
      Number((await rows('select credential_version as v from audiences where id = ?', [id]))[0].v);
    expect(await version()).toBe(1);
    const password = await v1('PUT', `/audiences/${id}/password`, { password: 'correct horse battery' });
    expect(password.body.audience.has_password).toBe(true);
    expect(JSON.stringify(password.body)).not.toContain('argon2');
    expect(await version()).toBe(2);
    expect((await v1('DELETE', `/audiences/${id}/password`)).status).toBe(204);
    expect(await version()).toBe(3);
    await v1('PATCH', `/audiences/${id}`, { ssoRules: [{ claim: 'groups', value: 'status-readers' }] });
    expect(await version()).toBe(4);

    const refused = await v1('DELETE', `/audiences/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/^"Enterprise" is still given Component: Dedicated cluster\./);
    expect((await v1('PATCH', `/audiences/${id}`, { componentIds: [] })).status).toBe(200);
    expect((await v1('DELETE', `/audiences/${id}`)).status).toBe(204);
    expect((await v1('GET', `/audiences/${id}`)).status).toBe(404);
    expect((await v1('GET', `/components/${componentId}`)).body.component.audience_ids).toEqual([]);

    const audit = await rows(
      "select action, actor_kind, actor_name from audit_log where subject_type = 'audience' and subject_id = ? order by id",
      [String(id)],
    );
    expect(audit.map((r) => r.action)).toEqual([
      'audience.create',
      'audience.member.remove',
      'audience.member.add',
      'audience.update',
      'audience.password.set',
      'audience.password.clear',
      'audience.update',
      'audience.update',
      'audience.delete',
    ]);
    expect(new Set(audit.map((r) => `${r.actor_kind} ${r.actor_name}`))).toEqual(new Set(['token Root']));
    // Every write announced a structure change, unnamed: the public hears nothing of audiences.
    // create, members, password set and cleared, rules, components, delete (the refused delete wrote nothing)
    expect(await structureChanges()).toBe(before + 7);
    expect(
      (await rows("select subject from change_events where kind = 'structure' order by id desc limit 7")).map(
        (r) => r.subject,
      ),
    ).toEqual(Array(7).fill(''));
  });

  test('refusals say what is wrong and leave nothing half-written', async () => {
    await v1('POST', '/audiences', { name: 'Partners' });
    const count = async () => Number((await rows('select count(*) as n from audiences'))[0].n);
    const n = await count();
    const cases: [unknown, number, RegExp][] = [
      [{ name: 'PARTNERS' }, 409, /^An audience named "PARTNERS" already exists; choose another name\.$/],
      [
        { name: 'X', ipAllowlist: ['10.0.0.1/33'] },
        400,
        /IP ranges \(0\) has no IP range "10\.0\.0\.1\/33": an IPv4 prefix length is at most \/32/,
      ],
      [{ name: 'X', members: ['ana@customer'] }, 400, /Members \(0\) must be an email address .* not "ana@customer"/],
      [{ name: 'X', members: ['@not a domain'] }, 400, /Members \(0\) must be an email address/],
      [
        { name: 'X', componentIds: [999999] },
        400,
        /Components must be ids of existing components; there is none with id 999999/,
      ],
      [{ name: 'X', ssoRules: [{ claim: 'role', value: 'x' }] }, 400, /must be one of email_domain, email, groups/],
      [{ name: 'X', password: 'hunter2hunter2' }, 400, /has fields Candor does not know: password/],
    ];
    for (const [body, status, message] of cases) {
      const r = await v1('POST', '/audiences', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.message).toMatch(message);
    }
    expect(await count()).toBe(n);
    const id = (await v1('GET', '/audiences')).body.audiences[0].id as number;
    expect((await v1('PUT', `/audiences/${id}/password`, { password: 'short' })).body.error.message).toBe(
      'Password must be at least 10 characters',
    );
    expect((await v1('PATCH', `/audiences/${id}`, {})).status).toBe(400);
    expect((await v1('PATCH', '/audiences/999999', { name: 'Y' })).status).toBe(404);
    // Members' addresses are personal: a support or read-only token neither reads nor writes them.
    expect((await v1('GET', '/audiences', undefined, support)).status).toBe(403);
    expect((await v1('GET', '/audiences', undefined, reader)).status).toBe(403);
    expect((await v1('POST', '/audiences', { name: 'Desk' }, support)).status).toBe(403);
  });

  test('giving a component to an audience from the component API is a structure change; left out, it stays', async () => {
    const audience = (await v1('POST', '/audiences', { name: 'Insiders' })).body.audience.id as number;
    const componentId = await newComponent('Billing internals');
    const before = await structureChanges();
    const put = await v1('PUT', `/components/${componentId}`, { name: 'Billing internals', audienceIds: [audience] });
    expect(put.body.component.audience_ids).toEqual([audience]);
    expect(await structureChanges()).toBe(before + 1);
    expect((await v1('GET', `/audiences/${audience}`)).body.audience.component_ids).toEqual([componentId]);
    // A script replacing other details without audienceIds keeps the component private.
    await v1('PUT', `/components/${componentId}`, { name: 'Billing internals v2' });
    expect((await v1('GET', `/components/${componentId}`)).body.component.audience_ids).toEqual([audience]);
    const bad = await v1('PUT', `/components/${componentId}`, { name: 'Billing', audienceIds: [audience, 424242] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Visible to must be ids of existing audiences; there is none with id 424242');
    const audit = await rows(
      "select before, after from audit_log where action = 'component.audiences' and subject_id = ?",
      [String(componentId)],
    );
    expect(audit).toEqual([
      expect.objectContaining({ before: '{"audienceIds":[]}', after: `{"audienceIds":[${audience}]}` }),
    ]);
  });

  test('the settings answer carries the whole-site switch', async () => {
    expect((await v1('GET', '/settings')).body.settings.private_site).toBe(false);
    expect((await v1('PATCH', '/settings', { privateSite: true })).body.settings.private_site).toBe(true);
    expect((await v1('PATCH', '/settings', { privateSite: false })).body.settings.private_site).toBe(false);
  });
});

describe('audiences in the admin, by plain form posts', () => {
  test('add an audience, members, a password; refusals re-show the form and keep nothing', async () => {
    const componentId = await newComponent('Reports');
    const made = await session.post('/admin/audiences', [
      ['action', 'create'],
      ['name', 'Acme Corp'],
      ['description', 'Our biggest customer'],
      ['members', 'ops@acme.example\r\n@acme-partner.example\r\n'],
      ['ipAllowlist', '198.51.100.0/24'],
      ['componentIds', String(componentId)],
    ]);
    expect(made.status).toBe(303);
    const page = made.location!.replace(/\?.*$/, '');
    expect(made.location).toMatch(/^\/admin\/audiences\/\d+\?done=create$/);
    const id = Number(page.split('/').pop());
    const shown = (await session.get(made.location!)).html;
    expect(shown).toContain('Audience added.');
    expect(shown).toContain('ops@acme.example');
    expect(shown).toContain('@acme-partner.example');
    expect(shown).toContain('198.51.100.0/24');
    expect(shown).toMatch(/Shared password: no\./);

    // One bad line refuses the whole batch, and says which.
    const bad = await session.post(page, [
      ['action', 'add-members'],
      ['members', 'new@acme.example\nnot an address'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Members (1) must be an email address (ana@example.com) or a whole domain');
    expect(bad.html).toContain('not an address</textarea>');
    const added = await session.post(page, [
      ['action', 'add-members'],
      ['members', 'new@acme.example'],
    ]);
    expect(added.status).toBe(303);
    const members = await rows('select value from audience_members where audience_id = ? order by value', [id]);
    expect(members.map((r) => r.value)).toEqual(['acme-partner.example', 'new@acme.example', 'ops@acme.example']);
    expect(
      (
        await session.post(page, [
          ['action', 'remove-member'],
          ['member', 'ops@acme.example'],
        ])
      ).status,
    ).toBe(303);

    expect(
      (
        await session.post(page, [
          ['action', 'set-password'],
          ['password', 'shared secret 42'],
        ])
      ).status,
    ).toBe(303);
    expect((await session.get(page)).html).toMatch(/Shared password: yes\./);

    const dup = await session.post('/admin/audiences', [
      ['action', 'create'],
      ['name', 'acme corp'],
    ]);
    expect(dup.status).toBe(409);
    expect(dup.html).toContain('An audience named &quot;acme corp&quot; already exists');

    // The details form: a bad range is refused with what was typed kept.
    const saved = await session.post(page, [
      ['action', 'save'],
      ['name', 'Acme Corp'],
      ['description', ''],
      ['ipAllowlist', '198.51.100.0/24\n10.0.0.1/33'],
      ['ssoClaim0', 'groups'],
      ['ssoValue0', 'acme-status'],
      ['componentIds', String(componentId)],
    ]);
    expect(saved.status).toBe(400);
    expect(saved.html).toContain('an IPv4 prefix length is at most /32');
    expect(saved.html).toContain('10.0.0.1/33</textarea>');
    expect(saved.html).toContain('value="acme-status"');

    // Deleting asks first, then refuses while a component is given, naming it.
    const ask = await session.post(page, [['action', 'delete']]);
    expect(ask.status).toBe(200);
    expect(ask.html).toContain('data-confirm-delete');
    const refusal = await session.post(page, [
      ['action', 'delete'],
      ['confirmed', 'yes'],
    ]);
    expect(refusal.status).toBe(409);
    expect(refusal.html).toContain('Component: Reports');
    expect((await rows('select count(*) as n from audiences where id = ?', [id]))[0].n).toBe(1);

    const other = (await v1('POST', '/audiences', { name: 'Short-lived' })).body.audience.id as number;
    const gone = await session.post(`/admin/audiences/${other}`, [
      ['action', 'delete'],
      ['confirmed', 'yes'],
    ]);
    expect(gone.location).toBe('/admin/audiences?done=delete');
    expect((await session.get(gone.location!)).html).toContain('Audience deleted');
    expect((await v1('GET', `/audiences/${other}`)).status).toBe(404);

    const list = (await session.get('/admin/audiences')).html;
    expect(list).toMatch(new RegExp(`<a href="/admin/audiences/${id}">Acme Corp</a>`));
  });

  test('who has access: live viewer sessions and recent sign-ins; a password change voids old grants', async () => {
    const id = (await v1('POST', '/audiences', { name: 'Viewers', members: ['@viewers.example'] })).body.audience
      .id as number;
    await v1('PUT', `/audiences/${id}/password`, { password: 'first password!' });
    const now = Date.now();
    const [version] = await rows('select credential_version as v from audiences where id = ?', [id]);
    for (const [secret, method, expires] of [
      ['s1', 'password', now + 3_600_000],
      ['s2', 'email', now + 3_600_000],
      ['s3', 'email', now - 1000],
    ] as const) {
      await rows('insert into viewer_sessions (id, email, expires_at, created_at) values (?, ?, ?, ?)', [
        hashToken(secret),
        'x@viewers.example',
        expires,
        now,
      ]);
      await rows(
        'insert into viewer_grants (session_id, audience_id, method, credential_version, created_at) values (?, ?, ?, ?, ?)',
        [hashToken(secret), id, method, Number(version.v), now],
      );
    }
    await rows(
      "insert into audit_log (at, actor_kind, actor_id, actor_name, action, subject_type, subject_id) values (?, 'system', null, 'x@viewers.example', 'viewer.sign_in', 'audience', ?)",
      [now, String(id)],
    );
    const page = `/admin/audiences/${id}`;
    const html = (await session.get(page)).html;
    expect(html).toMatch(/Signed in now: 2 viewer sessions/);
    expect(html).toMatch(/viewer\.sign_in — x@viewers\.example/);
    await session.post(page, [
      ['action', 'set-password'],
      ['password', 'second password!'],
    ]);
    expect((await session.get(page)).html).toMatch(/Signed in now: 1 viewer session\./);
    // The email session ends with the member (here, the domain) it was sent to.
    await v1('PATCH', `/audiences/${id}`, { members: [] });
    expect((await session.get(page)).html).toMatch(/Signed in now: 0 viewer sessions\./);
  });

  test('"Visible to" on the component and group forms, and who can see an incident', async () => {
    const audience = (await v1('POST', '/audiences', { name: 'Ops team' })).body.audience.id as number;
    const componentId = await newComponent('Internal VPN');
    const fields = (visibility: string, ids: string[]): [string, string][] => [
      ['action', 'update-component'],
      ['id', String(componentId)],
      ['name', 'Internal VPN'],
      ['description', ''],
      ['position', '0'],
      ['groupId', ''],
      ['slaTarget', '99.9'],
      ['visibility', visibility],
      ...ids.map((a): [string, string] => ['audienceIds', a]),
    ];
    const form = (await session.get('/admin/components')).html;
    expect(form).toContain(`name="audienceIds" value="${audience}"`);
    const none = await session.post('/admin/components', fields('audiences', []));
    expect(none.status).toBe(400);
    expect(none.html).toContain('Visible to needs at least one audience ticked');
    expect((await session.post('/admin/components', fields('audiences', [String(audience)]))).status).toBe(303);
    expect((await v1('GET', `/components/${componentId}`)).body.component.audience_ids).toEqual([audience]);
    expect((await session.get('/admin/components')).html).toContain('visible to Ops team');

    const hidden = await openIncidentAs(server.url, admin.token, {
      title: 'VPN down',
      components: { [componentId]: 'major_outage' },
    });
    expect((await session.get(`/admin/incidents/${hidden}`)).html).toMatch(
      /Who can see it:\s*only the audiences Ops team/,
    );
    const soon = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const window = await v1('POST', '/maintenance', {
      title: 'VPN upgrade',
      body: 'Reconnect after.',
      scheduledFor: soon(24),
      scheduledUntil: soon(25),
      componentIds: [componentId],
      notify: false,
    });
    expect((await session.get(`/admin/maintenance/${window.body.maintenance.id}`)).html).toMatch(
      /Who can see it:\s*only the audiences Ops team/,
    );
    const open = await openIncidentAs(server.url, admin.token, { title: 'Everything slow' });
    expect((await session.get(`/admin/incidents/${open}`)).html).toMatch(/Who can see it:\s*Public \(everyone\)/);

    // "Everyone" again, with a box still ticked: public.
    expect((await session.post('/admin/components', fields('public', [String(audience)]))).status).toBe(303);
    expect((await v1('GET', `/components/${componentId}`)).body.component.audience_ids).toEqual([]);

    const groupId = (await v1('POST', '/groups', { name: 'Back office' })).body.group.id as number;
    const group = await session.post('/admin/components', [
      ['action', 'update-group'],
      ['id', String(groupId)],
      ['name', 'Back office'],
      ['description', ''],
      ['position', '0'],
      ['visibility', 'audiences'],
      ['audienceIds', String(audience)],
    ]);
    expect(group.status).toBe(303);
    expect((await v1('GET', `/audiences/${audience}`)).body.audience.group_ids).toEqual([groupId]);
  });

  test('the private-site switch on the settings page, with its warning', async () => {
    const page = (await session.get('/admin/settings')).html;
    expect(page).toContain('id="privateSite"');
    expect(page).toMatch(/Warning: when on, the public sees nothing at all/);
    expect(
      (
        await session.post('/admin/settings', [
          ['action', 'private'],
          ['privateSite', 'on'],
        ])
      ).status,
    ).toBe(303);
    expect((await v1('GET', '/settings')).body.settings.private_site).toBe(true);
    expect((await session.get('/admin/audiences')).html).toContain('the whole page is private');
    expect((await session.post('/admin/settings', [['action', 'private']])).status).toBe(303);
    expect((await v1('GET', '/settings')).body.settings.private_site).toBe(false);
    const audit = await rows("select after from audit_log where action = 'settings.update' order by id desc limit 1");
    expect(JSON.parse(String(audit[0].after))).toEqual({ privateSite: false });
  });

  test('only admins reach the audience pages', async () => {
    const desk = createUserWithToken(server.dbFile, 'support', 'desk2@example.com', 'Desk Two');
    const deskSession = await adminSession(server.url, desk.email, desk.password);
    expect((await deskSession.get('/admin/audiences')).status).toBe(403);
    expect(
      (
        await deskSession.post('/admin/audiences', [
          ['action', 'create'],
          ['name', 'Sneaky'],
        ])
      ).status,
    ).toBe(403);
    expect((await session.get('/admin')).html).toContain('href="/admin/audiences"');
    expect((await deskSession.get('/admin')).html).not.toContain('href="/admin/audiences"');
  });
});
