// Starts single sign-on (issue 20): off to the OpenID provider, which sends the browser back to
// /access/sso/callback.
import type { APIRoute } from 'astro';
import { logger } from '#server/logger.ts';
import { oidcSettings, startSso } from '#web/oidc.ts';
import { safeViewerNext } from '#web/viewer-cookie.ts';

export const GET: APIRoute = async ({ cookies, url }) => {
  if (!oidcSettings()) {
    return new Response('Single sign-on is not set up for this status page. Sign in another way at /access.', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  let target: URL;
  try {
    target = await startSso(cookies, url, safeViewerNext(url.searchParams.get('next')));
  } catch (error) {
    logger.warn({ reason: (error as Error).message }, 'single sign-on provider unreachable');
    return new Response(
      'The single sign-on provider could not be reached. Try again in a moment, or sign in another way at /access.',
      {
        status: 502,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      },
    );
  }
  return new Response(null, { status: 302, headers: { location: target.href, 'cache-control': 'no-store' } });
};
