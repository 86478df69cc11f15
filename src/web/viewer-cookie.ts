// The viewer cookie (issue 20): HttpOnly, SameSite=Lax, Secure over HTTPS, as the staff session's,
// under a name of its own so a viewer session never reads as a staff one or the other way round.
import type { AstroCookies } from 'astro';
import { VIEWER_COOKIE } from '../domain/audiences/viewer.ts';
import { secureCookies } from './session-cookie.ts';

export function setViewerCookie(cookies: AstroCookies, url: URL, token: string, expiresAt: number): void {
  cookies.set(VIEWER_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: secureCookies(url),
    expires: new Date(expiresAt),
  });
}

export function clearViewerCookie(cookies: AstroCookies, url: URL): void {
  cookies.set(VIEWER_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies(url), maxAge: 0 });
}

/**
 * A same-site path to go to after signing in: a path on this site, never another site's address
 * (`//host`, `/\\host`) or a sign-in page itself. Anything else goes to the front page.
 */
export function safeViewerNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return '/';
  if (value === '/access' || value.startsWith('/access/') || value.startsWith('/access?')) return '/';
  return value;
}
