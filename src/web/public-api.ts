// Responses of the public Statuspage-compatible API: JSON any site may read (CORS for GET).
// They go through the public page cache like every public page.
import type { APIRoute } from 'astro';
import { getDb, type Db } from '../db/client.ts';
import type { MessageContext } from '../domain/notify/links.ts';
import { messageContext } from './message-context.ts';

export const PUBLIC_API_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
} as const;

/** A GET route answering `build`'s result as public JSON. */
export function publicJsonRoute(build: (db: Db, ctx: MessageContext) => Promise<unknown>): APIRoute {
  return async () =>
    new Response(JSON.stringify(await build(getDb(), await messageContext())), { headers: PUBLIC_API_HEADERS });
}
