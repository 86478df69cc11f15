// The first step for every request: nobody is signed in until a later step proves otherwise, so
// public pages, which look at neither token nor cookie, always see an anonymous visitor.
import { defineMiddleware } from 'astro:middleware';

/** Sets every identity in `locals` to null. */
export const anonymous = defineMiddleware((ctx, next) => {
  ctx.locals.user = null;
  ctx.locals.sessionId = null;
  ctx.locals.tokenScope = null;
  return next();
});
