// A subscriber's secret-link pages: the token in the path is a credential.
import { defineMiddleware } from 'astro:middleware';
import { isPersonalPath } from '../paths.ts';

/** On personal paths: no-store, and no Referer to other sites. */
export const personalPaths = defineMiddleware(async (ctx, next) => {
  if (!isPersonalPath(ctx.url.pathname)) return next();
  const response = await next();
  // Keep the token out of caches and other sites' logs.
  response.headers.set('cache-control', 'no-store');
  response.headers.set('referrer-policy', 'no-referrer');
  return response;
});
