// Who is asking: a bearer token for /api/v1, a session cookie for /admin. Public pages never
// look at either, which is what lets the front server cache them for everyone.
import { defineMiddleware } from 'astro:middleware';
import { getDb } from './db/client.ts';
import { runAs } from './domain/audit.ts';
import { SESSION_COOKIE, validateSessionToken } from './domain/auth/sessions.ts';
import { authenticateApiToken } from './domain/auth/users.ts';
import { isPersonalPath } from './web/paths.ts';
import { apiError } from './web/api.ts';
import { clearSessionCookie, setSessionCookie } from './web/session-cookie.ts';

const OPEN_ADMIN_PATHS = new Set(['/admin/login', '/admin/setup', '/admin/password']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie-authenticated writes must come from our own pages (CSRF). Browsers send Origin on
 * every POST and Sec-Fetch-Site on every request; either one proves the source.
 */
function isSameOrigin(request: Request, url: URL): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = request.headers.get('origin');
  return origin !== null && origin === url.origin;
}

export const onRequest = defineMiddleware(async (ctx, next) => {
  ctx.locals.user = null;
  ctx.locals.sessionId = null;
  ctx.locals.tokenScope = null;
  const path = ctx.url.pathname;

  // The API's own description is public, so tools can read it before anyone has a token.
  if (path.startsWith('/api/v1/') && path !== '/api/v1/openapi.json') {
    const header = ctx.request.headers.get('authorization') ?? '';
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const user = token ? await authenticateApiToken(getDb(), token) : null;
    if (!user) {
      return apiError(401, 'unauthorized', token
        ? 'The API token is unknown or revoked.'
        : 'Send an API token in the header "Authorization: Bearer <token>"; create one with `npm run candor -- token create`.');
    }
    ctx.locals.user = user;
    ctx.locals.tokenScope = user.scope;
    return runAs({ kind: 'token', id: user.id, name: user.name }, () => next());
  }

  if (path === '/admin' || path.startsWith('/admin/')) {
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
      !user && !OPEN_ADMIN_PATHS.has(path)
        ? ctx.redirect(`/admin/login?next=${encodeURIComponent(path + ctx.url.search)}`)
        : user
          ? await runAs({ kind: 'user', id: user.id, name: user.name }, () => next())
          : await next();
    // Admin answers are personal: no shared cache (ours or a CDN's) may keep them.
    response.headers.set('cache-control', 'no-store');
    return response;
  }
  if (isPersonalPath(path)) {
    const response = await next();
    // The token in the path is a credential: keep it out of caches and other sites' logs.
    response.headers.set('cache-control', 'no-store');
    response.headers.set('referrer-policy', 'no-referrer');
    return response;
  }
  return next();
});
