// Responses of the public Statuspage-compatible API: JSON any site may read (CORS for GET).
// They go through the public page cache like every public page.
import type { APIRoute } from 'astro';
import { getDb, type Db } from '../db/client.ts';
import type { MessageContext } from '../domain/notify/links.ts';
import type { Visibility } from '../domain/audiences/visibility.ts';
import { messageContext } from './message-context.ts';
import { visibilityOf } from './visibility.ts';

export const PUBLIC_API_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
} as const;

/** A GET route answering `build`'s result as public JSON: what the request's reader may see. */
export function publicJsonRoute(build: (db: Db, ctx: MessageContext, v: Visibility) => Promise<unknown>): APIRoute {
  return async ({ locals }) =>
    new Response(JSON.stringify(await build(getDb(), await messageContext(), await visibilityOf(locals))), {
      headers: PUBLIC_API_HEADERS,
    });
}
