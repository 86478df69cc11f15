// A member's secret feed URL, `/my/<token>/history.atom` and the like (src/domain/audiences/
// feed-tokens.ts): the token admits the request as the member's audience, and the request goes on
// as the public path it stands for, so the feed is the very one the member's page links to. Only
// feeds, the calendar and the v2 JSON can be reached this way; the answer is never cached.
import { defineMiddleware } from 'astro:middleware';
import { getDb } from '#db/client.ts';
import { FEED_PATHS, FEED_PREFIX, resolveFeedToken } from '#domain/audiences/feed-tokens.ts';

const FEEDS = new Set<string>(FEED_PATHS);

function refusal(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  });
}

export const feedLinks = defineMiddleware(async (ctx, next) => {
  const path = ctx.url.pathname;
  if (!path.startsWith(FEED_PREFIX)) return next();
  const rest = path.slice(FEED_PREFIX.length);
  const slash = rest.indexOf('/');
  const token = slash < 0 ? rest : rest.slice(0, slash);
  const target = slash < 0 ? '' : rest.slice(slash);
  if (!FEEDS.has(target))
    return refusal(404, `A feed link ends in one of ${FEED_PATHS.join(', ')}; "${target || '/'}" is not one of them.`);
  if (ctx.request.method !== 'GET' && ctx.request.method !== 'HEAD')
    return refusal(405, 'Feed links can only be read (GET or HEAD).');
  const viewer = await resolveFeedToken(getDb(), token);
  if (!viewer)
    return refusal(
      404,
      'This feed link is not valid: it was revoked, or the access it was made with has ended. Sign in and make a new one at /my.',
    );
  ctx.locals.viewer = viewer;
  ctx.locals.feedLink = FEED_PREFIX + token;
  const response = await next(target + ctx.url.search);
  response.headers.set('cache-control', 'private, no-store');
  response.headers.set('referrer-policy', 'no-referrer');
  return response;
});
