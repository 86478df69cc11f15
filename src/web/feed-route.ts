// The history feeds' routes: the same entries, as Atom or as RSS.
import type { APIRoute } from 'astro';
import { getDb } from '../db/client.ts';
import { loadHistoryFeed, renderAtom, renderRss } from '../domain/feeds.ts';
import { messageContext } from './message-context.ts';

const FORMATS = {
  atom: { render: renderAtom, type: 'application/atom+xml; charset=utf-8', path: '/history.atom' },
  rss: { render: renderRss, type: 'application/rss+xml; charset=utf-8', path: '/history.rss' },
} as const;

export function feedRoute(format: keyof typeof FORMATS): APIRoute {
  const { render, type, path } = FORMATS[format];
  return async () => {
    const ctx = await messageContext();
    const feed = await loadHistoryFeed(getDb(), ctx, ctx.siteName);
    return new Response(render(feed, `${ctx.publicUrl}${path}`), { headers: { 'content-type': type } });
  };
}
