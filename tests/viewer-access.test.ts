// The viewer's way in, rule by rule (issue 20): what the private-site gate does with each kind of
// path, where a sign-in may send the reader afterwards, and how single sign-on claims meet an
// audience's rules. The flows themselves run through the real server in viewer-*-server tests.
import { describe, expect, test } from 'vitest';
import { identityFromClaims, ruleMatches } from '../src/domain/audiences/sso-rules.ts';
import { storedSsoRules } from '../src/domain/audiences/audience-reads.ts';
import { ipAllowed } from '../src/domain/audiences/admission.ts';
import { gatedByFrontServer, privateSiteRule } from '../src/web/private-site.ts';
import { safeViewerNext } from '../src/web/viewer-cookie.ts';
import { pruneViewerAccess, signInViewer, validateViewerSession } from '../src/domain/audiences/viewer-sessions.ts';
import { freshDb, queryRows } from './support/db.ts';
import { createAudience } from './support/audiences.ts';

describe('the private-site gate', () => {
  test('pages send the reader to sign in, machine surfaces refuse, the ways in stay open', () => {
    for (const path of ['/', '/history', '/incidents/3', '/postmortems/x', '/subscribe', '/my', '/no-such-page'])
      expect(privateSiteRule(path), path).toBe('page');
    for (const path of [
      '/api/v2/summary.json',
      '/history.atom',
      '/history.rss',
      '/maintenance.ics',
      '/badge.svg',
      '/widget',
      '/widget.js',
      '/events',
      '/live/3/status',
      '/mcp',
    ])
      expect(privateSiteRule(path), path).toBe('machine');
    for (const path of [
      '/access',
      '/access/password',
      '/access/link/abc',
      '/access/sso/callback',
      '/brand/logo.png',
      '/admin',
      '/admin/login',
      '/api/v1/incidents',
      '/healthz',
      '/my/token/history.atom',
    ])
      expect(privateSiteRule(path), path).toBe('open');
    // Not fooled by a name that merely begins like an open one.
    expect(privateSiteRule('/accessibility')).toBe('page');
    expect(privateSiteRule('/administrators')).toBe('page');
    expect(gatedByFrontServer('/live/1/uptime')).toBe(true);
    expect(gatedByFrontServer('/history.atom')).toBe(false);
  });
});

describe('where a sign-in goes next', () => {
  test('a path on this site, and nothing else', () => {
    expect(safeViewerNext('/history?month=2026-01')).toBe('/history?month=2026-01');
    for (const bad of [null, '', 'history', 'https://evil.example/', '//evil.example', '/\\evil.example', '/a\nb'])
      expect(safeViewerNext(bad), String(bad)).toBe('/');
    // Never back to a sign-in page (a loop) or sign-out.
    expect(safeViewerNext('/access')).toBe('/');
    expect(safeViewerNext('/access/sign-out')).toBe('/');
    expect(safeViewerNext('/access?next=/x')).toBe('/');
  });
});

describe('single sign-on rules', () => {
  const identity = identityFromClaims({ email: 'Ann@Corp.Example', email_verified: true, groups: ['ops', 'sre'] });

  test('claims give a lower-cased verified address and the groups', () => {
    expect(identity).toEqual({ email: 'ann@corp.example', groups: ['ops', 'sre'] });
    expect(identityFromClaims({ email: 'x@y.example', email_verified: false }).email).toBeNull();
    expect(identityFromClaims({ email: 'not an address' }).email).toBeNull();
    expect(identityFromClaims({ groups: 'ops' }).groups).toEqual(['ops']);
    expect(identityFromClaims({ groups: [1, 'ops', null] }).groups).toEqual(['ops']);
  });

  test('email and domain ignore case, groups match exactly', () => {
    expect(ruleMatches({ claim: 'email', value: 'ANN@corp.example' }, identity)).toBe(true);
    expect(ruleMatches({ claim: 'email_domain', value: 'Corp.Example' }, identity)).toBe(true);
    expect(ruleMatches({ claim: 'email_domain', value: 'example' }, identity)).toBe(false);
    expect(ruleMatches({ claim: 'groups', value: 'ops' }, identity)).toBe(true);
    expect(ruleMatches({ claim: 'groups', value: 'OPS' }, identity)).toBe(false);
    expect(ruleMatches({ claim: 'email_domain', value: 'corp.example' }, { email: null, groups: [] })).toBe(false);
  });

  test('stored rules that are not rules are skipped', () => {
    expect(storedSsoRules('[{"claim":"groups","value":"ops"},{"claim":"role","value":"x"},"x",null]')).toEqual([
      { claim: 'groups', value: 'ops' },
    ]);
    expect(storedSsoRules('not json')).toEqual([]);
  });
});

describe('IP allowlists', () => {
  test('addresses and CIDR ranges, IPv4 and IPv6; anything malformed admits nobody', () => {
    const list = '["203.0.113.0/24","2001:db8::/32","198.51.100.7","nonsense","10.0.0.0/99"]';
    expect(ipAllowed(list, '203.0.113.200')).toBe(true);
    expect(ipAllowed(list, '2001:db8:ffff::1')).toBe(true);
    expect(ipAllowed(list, '198.51.100.7')).toBe(true);
    expect(ipAllowed(list, '198.51.100.8')).toBe(false);
    expect(ipAllowed(list, '10.0.0.1')).toBe(false);
    expect(ipAllowed(list, 'unknown')).toBe(false);
    expect(ipAllowed('not json', '203.0.113.1')).toBe(false);
  });
});

describe('viewer sessions over time', () => {
  test('a session lasts 7 days from signing in; ended ones and old links are pruned', async () => {
    const { db, file } = await freshDb();
    const id = await createAudience(file, { name: 'Lambda', password: 'lambda password' });
    const t0 = Date.UTC(2026, 0, 1);
    const { token } = await signInViewer(
      db,
      null,
      { email: null, grants: [{ audienceId: id, method: 'password', credentialVersion: 1 }] },
      t0,
    );
    expect((await validateViewerSession(db, token, t0 + 7 * 86_400_000 - 1))?.grants).toEqual([
      { audienceId: id, method: 'password' },
    ]);
    await queryRows(
      file,
      `insert into viewer_links (token_hash, email, next, expires_at, created_at) values ('h', 'a@b.example', '/', ?, ?)`,
      [t0 + 900_000, t0],
    );
    await pruneViewerAccess(db, t0 + 7 * 86_400_000);
    expect(await queryRows(file, 'select * from viewer_sessions')).toHaveLength(0);
    expect(await queryRows(file, 'select * from viewer_grants')).toHaveLength(0);
    expect(await queryRows(file, 'select * from viewer_links')).toHaveLength(0);
    expect(await validateViewerSession(db, token, t0)).toBeNull();
  });
});
