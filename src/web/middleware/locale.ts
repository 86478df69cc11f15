// The visitor's language for public answers (src/i18n/locale-choice.ts). `?lang=` on a page
// remembers the choice in a cookie and sends the visitor to the page without it, so cached pages
// stay one per language; feeds, the calendar and the widget just answer in the language asked.
// The admin and the APIs are English.
import { defineMiddleware } from 'astro:middleware';
import { DEFAULT_LOCALE } from '#domain/locales.ts';
import {
  chooseLocale,
  LANG_COOKIE,
  LANG_COOKIE_MAX_AGE,
  LANG_PARAM,
  localeFromParam,
  switchesOnLang,
} from '../../i18n/locale-choice.ts';
import { isAdminPath, isLocalisedPath } from '../paths.ts';
import { secureCookies } from '../session-cookie.ts';

export const locale = defineMiddleware(async (ctx, next) => {
  const path = ctx.url.pathname;
  if (isAdminPath(path) || (!isLocalisedPath(path) && !path.startsWith('/live/'))) {
    ctx.locals.locale = DEFAULT_LOCALE;
    return next();
  }
  const param = ctx.url.searchParams.get(LANG_PARAM);
  const chosen = chooseLocale(param, ctx.request.headers.get('cookie'));
  ctx.locals.locale = chosen;
  const method = ctx.request.method;
  if (param !== null && (method === 'GET' || method === 'HEAD') && switchesOnLang(path)) {
    if (localeFromParam(param)) {
      ctx.cookies.set(LANG_COOKIE, chosen, {
        path: '/',
        maxAge: LANG_COOKIE_MAX_AGE,
        sameSite: 'lax',
        secure: secureCookies(ctx.url),
      });
    }
    const target = new URL(ctx.url);
    target.searchParams.delete(LANG_PARAM);
    const response = ctx.redirect(target.pathname + target.search, 303);
    response.headers.set('cache-control', 'no-store');
    return response;
  }
  const response = await next();
  response.headers.set('content-language', chosen);
  // Without `?lang=` the cookie decides: shared caches must keep one answer per cookie.
  response.headers.append('vary', 'Cookie');
  return response;
});
