// Who reads the public side (issue 20): the viewer cookie's session and the client address's IP
// allowlists make `locals.viewer`; then, on a private site, the public is sent to sign in. Staff
// doors (the admin, API v1) have their own identities and skip this step. Answers for an admitted
// viewer are theirs alone: no shared cache (ours or a CDN's) may keep them.
import { defineMiddleware } from 'astro:middleware';
import { getDb } from '#db/client.ts';
import { admit } from '#domain/audiences/admission.ts';
import { FEED_PREFIX } from '#domain/audiences/feed-tokens.ts';
import { isPublicViewer, VIEWER_COOKIE } from '#domain/audiences/viewer.ts';
import { publicUrl } from '#domain/public-url.ts';
import { clientIp } from '../client-ip.ts';
import { apiError } from '../api.ts';
import { isAdminPath, isApiPath, isApiV1Path } from '../paths.ts';
import {
  gatedByFrontServer,
  isAccessPath,
  privateSiteRefusal,
  privateSiteRule,
  signInRedirect,
} from '../private-site.ts';
import { isSameOrigin } from '../same-origin.ts';
import { clearViewerCookie } from '../viewer-cookie.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const viewer = defineMiddleware(async (ctx, next) => {
  const path = ctx.url.pathname;
  // Staff doors have identities of their own; brand images are the same for everyone; a member's
  // feed link admits by its token (src/web/middleware/feed-links.ts, the next step), cookie or not.
  if (
    isAdminPath(path) ||
    isApiV1Path(path) ||
    path.startsWith('/_astro/') ||
    path.startsWith('/brand/') ||
    path.startsWith(FEED_PREFIX)
  )
    return next();
  // Astro's own origin check is off (src/middleware.ts checks where it matters): signing in and
  // out, and a member's feed links (/my), must not be changed for a reader by another site's form.
  const viewerForm = isAccessPath(path) || path === '/my';
  if (viewerForm && !SAFE_METHODS.has(ctx.request.method) && !isSameOrigin(ctx.request, ctx.url)) {
    return new Response('This form was sent from another site, so it was refused. Reload the page and try again.', {
      status: 403,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  const token = ctx.cookies.get(VIEWER_COOKIE)?.value || null;
  const admission = await admit(getDb(), { token, ip: clientIp(ctx.request, () => ctx.clientAddress) });
  ctx.locals.viewer = admission.viewer;
  if (admission.deadCookie) clearViewerCookie(ctx.cookies, ctx.url);
  const admitted = !isPublicViewer(admission.viewer);
  if (!admitted && (await ctx.locals.site()).privateSite) {
    const rule = privateSiteRule(path);
    if (rule === 'page') {
      const response = ctx.redirect(signInRedirect(path + ctx.url.search), 303);
      response.headers.set('cache-control', 'no-store');
      return response;
    }
    if (rule === 'machine' && !gatedByFrontServer(path)) {
      // The JSON API refuses in its own error shape; feeds, calendar, badge and widget in plain text.
      const response = isApiPath(path)
        ? apiError(401, 'unauthorized', privateSiteRefusal(publicUrl()).trim())
        : new Response(privateSiteRefusal(publicUrl()), {
            status: 401,
            headers: { 'content-type': 'text/plain; charset=utf-8' },
          });
      response.headers.set('cache-control', 'no-store');
      return response;
    }
  }
  const response = await next();
  if (admitted) response.headers.set('cache-control', 'private, no-store');
  return response;
});
