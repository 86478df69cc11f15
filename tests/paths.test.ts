// Which part of Candor a path belongs to (src/web/paths.ts), the rules both the middleware and the
// front server go by. The front server must classify a path as Astro will route it, or an admin
// page could be reached through the public cache under a disguised path.
import { expect, test } from 'vitest';
import {
  isAdminPath,
  isApiPath,
  isOpenAdminPath,
  isPersonalPath,
  isPublicPath,
  isStaffPath,
  isStaffWritePath,
  needsApiToken,
  routedPath,
} from '../src/web/paths.ts';

test('paths are resolved the way Astro routes them; plain paths pass unchanged', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['/incidents/1', '/incidents/1'],
    ['/a.b/c', '/a.b/c'],
    ['/history', '/history'],
    ['/%61dmin/x', '/admin/x'],
    ['//admin', '/admin'],
    ['/./admin', '/admin'],
    ['/x/../admin', '/admin'],
    ['/..', '/'],
  ];
  for (const [raw, routed] of cases) expect(routedPath(raw)).toBe(routed);
});

test('only public GETs and HEADs take the cached path', () => {
  expect(isPublicPath('GET', '/')).toBe(true);
  expect(isPublicPath('HEAD', '/incidents/3')).toBe(true);
  expect(isPublicPath('GET', '/api/v2/summary.json')).toBe(true);
  expect(isPublicPath('POST', '/')).toBe(false);
  for (const hidden of [
    '/admin',
    '/admin/login',
    '/%61dmin',
    '//admin/x',
    '/api/v1/components',
    '/events',
    '/subscription/abc',
    '/subscribe/confirm/abc',
  ]) {
    expect(isPublicPath('GET', hidden)).toBe(false);
  }
});

test('the admin is /admin and below; only sign-in, setup and password links open without a session', () => {
  for (const path of ['/admin', '/admin/', '/admin/incidents/1']) expect(isAdminPath(path)).toBe(true);
  for (const path of ['/administrator', '/', '/api/v1/admin']) expect(isAdminPath(path)).toBe(false);
  expect(['/admin/login', '/admin/setup', '/admin/password'].every(isOpenAdminPath)).toBe(true);
  expect(['/admin', '/admin/users', '/admin/login/x'].some(isOpenAdminPath)).toBe(false);
});

test('the API needs a token everywhere under /api/v1 except its description; v2 is public', () => {
  expect(needsApiToken('/api/v1/components')).toBe(true);
  expect(needsApiToken('/api/v1/alerts/generic')).toBe(true);
  expect(needsApiToken('/api/v1/openapi.json')).toBe(false);
  expect(needsApiToken('/api/v2/summary.json')).toBe(false);
  expect(isApiPath('/api/v2/summary.json')).toBe(true);
  expect(isApiPath('/apis')).toBe(false);
});

test('secret-link pages are personal; staff areas take larger bodies; staff writes drop the cache', () => {
  expect(isPersonalPath('/subscription/tok')).toBe(true);
  expect(isPersonalPath('/subscribe/confirm/tok')).toBe(true);
  expect(isPersonalPath('/subscribe')).toBe(false);
  // The viewer sign-in pages say who is signed in, and a sign-in link's token is in its path.
  expect(isPersonalPath('/access')).toBe(true);
  expect(isPersonalPath('/access/link/tok')).toBe(true);
  expect(isPersonalPath('/accessibility')).toBe(false);
  expect(['/admin', '/admin/components', '/api/v1/incidents'].every(isStaffPath)).toBe(true);
  expect(['/subscribe', '/api/v2/status.json', '/adminx'].some(isStaffPath)).toBe(false);
  expect(['/admin/components', '/api/v1/incidents'].every(isStaffWritePath)).toBe(true);
  expect(['/subscribe', '/subscription/tok/unsubscribe'].some(isStaffWritePath)).toBe(false);
});
