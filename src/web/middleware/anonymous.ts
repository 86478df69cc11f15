// The first step for every request: nobody is signed in until a later step proves otherwise, so
// public pages, which look at neither token nor cookie, always see an anonymous visitor.
import { defineMiddleware } from 'astro:middleware';
import { PUBLIC_VIEWER } from '../../domain/audiences/viewer.ts';
import { settingsOnce } from '../site-settings.ts';

/** Sets every identity in `locals` to null, and gives the request its settings reader. */
export const anonymous = defineMiddleware((ctx, next) => {
  ctx.locals.user = null;
  ctx.locals.sessionId = null;
  ctx.locals.tokenScope = null;
  ctx.locals.viewer = PUBLIC_VIEWER;
  ctx.locals.site = settingsOnce();
  return next();
});
