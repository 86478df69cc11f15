// The front server must classify a path as Astro will route it, or an admin page could be
// reached through the public cache under a disguised path.
import { expect, test } from 'vitest';
import { isPublicPath, routedPath } from '../src/web/paths.ts';

test('paths are resolved the way Astro routes them; plain paths pass unchanged', () => {
  const cases: [string, string][] = [
    ['/', '/'], ['/incidents/1', '/incidents/1'], ['/a.b/c', '/a.b/c'], ['/history', '/history'],
    ['/%61dmin/x', '/admin/x'], ['//admin', '/admin'], ['/./admin', '/admin'], ['/x/../admin', '/admin'], ['/..', '/'],
  ];
  for (const [raw, routed] of cases) expect(routedPath(raw)).toBe(routed);
});

test('only public GETs and HEADs take the cached path', () => {
  expect(isPublicPath('GET', '/')).toBe(true);
  expect(isPublicPath('HEAD', '/incidents/3')).toBe(true);
  expect(isPublicPath('POST', '/')).toBe(false);
  for (const hidden of ['/admin', '/admin/login', '/%61dmin', '//admin/x', '/api/v1/components', '/events']) {
    expect(isPublicPath('GET', hidden)).toBe(false);
  }
});
