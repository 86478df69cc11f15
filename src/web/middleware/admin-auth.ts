// The admin's door: a session cookie (renewed as it nears expiry, cleared when dead), writes only
// from our own pages (CSRF), and no shared cache for any admin answer.
import { defineMiddleware } from 'astro:middleware';
import { getDb } from '#db/client.ts';
import { runAs } from '#domain/audit.ts';
import { SESSION_COOKIE, validateSessionToken } from '#domain/auth/sessions.ts';
import { isAdminPath, isOpenAdminPath } from '../paths.ts';
import { isSameOrigin } from '../same-origin.ts';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * 403 for a cross-site write; a visitor without a session goes to the login page (open paths
 * excepted); a signed-in user's requests run as them. Every answer after the CSRF check is no-store.
 */
export const adminAuth = defineMiddleware(async (ctx, next) => {
  const path = ctx.url.pathname;
  if (!isAdminPath(path)) return next();
  if (!SAFE_METHODS.has(ctx.request.method) && !isSameOrigin(ctx.request, ctx.url)) {
    return new Response('This form was sent from another site, so it was refused. Reload the page and try again.', {
      status: 403,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const token = ctx.cookies.get(SESSION_COOKIE)?.value;
  if (token) {
    const validated = await validateSessionToken(getDb(), token);
    if (validated) {
      ctx.locals.user = validated.user;
      ctx.locals.sessionId = validated.session.id;
      if (validated.renewed) setSessionCookie(ctx.cookies, ctx.url, token, validated.session.expiresAt);
    } else {
      clearSessionCookie(ctx.cookies, ctx.url);
    }
  }
  const user = ctx.locals.user;
  const response =
    !user && !isOpenAdminPath(path)
      ? ctx.redirect(`/admin/login?next=${encodeURIComponent(path + ctx.url.search)}`)
      : user
        ? await runAs({ kind: 'user', id: user.id, name: user.name }, () => next())
        : await next();
  // Admin answers are personal: no shared cache (ours or a CDN's) may keep them.
  response.headers.set('cache-control', 'no-store');
  return response;
});
