// The session cookie: HttpOnly, SameSite=Lax, Secure whenever the site is reached over HTTPS
// (directly, or behind a proxy that ends TLS for an https:// PUBLIC_URL).
import type { AstroCookies } from 'astro';
import { SESSION_COOKIE } from '../domain/auth/sessions.ts';
import { publicUrlIsHttps } from '../domain/public-url.ts';

export function secureCookies(url: URL): boolean {
  return url.protocol === 'https:' || publicUrlIsHttps() || process.env.CANDOR_SECURE_COOKIES === '1';
}

export function setSessionCookie(cookies: AstroCookies, url: URL, token: string, expiresAt: number): void {
  cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: secureCookies(url),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(cookies: AstroCookies, url: URL): void {
  cookies.set(SESSION_COOKIE, '', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: secureCookies(url),
    maxAge: 0,
  });
}
