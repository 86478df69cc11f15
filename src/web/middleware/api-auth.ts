// The automation API's door: every /api/v1 request needs a live bearer token (the API's own
// description excepted), and whatever it changes is audited as that token.
import { defineMiddleware } from 'astro:middleware';
import { getDb } from '#db/client.ts';
import { runAs } from '#domain/audit.ts';
import { authenticateApiToken } from '#domain/auth/users.ts';
import { apiError } from '../api.ts';
import { needsApiToken } from '../paths.ts';

/** 401 in the API's error shape without a known token; otherwise sets the user and scope and runs the route as them. */
export const apiAuth = defineMiddleware(async (ctx, next) => {
  if (!needsApiToken(ctx.url.pathname)) return next();
  const header = ctx.request.headers.get('authorization') ?? '';
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const user = token ? await authenticateApiToken(getDb(), token) : null;
  if (!user) {
    return apiError(
      401,
      'unauthorized',
      token
        ? 'The API token is unknown or revoked.'
        : 'Send an API token in the header "Authorization: Bearer <token>"; create one with `npm run candor -- token create`.',
    );
  }
  ctx.locals.user = user;
  ctx.locals.tokenScope = user.scope;
  return runAs({ kind: 'token', id: user.id, name: user.name }, () => next());
});
