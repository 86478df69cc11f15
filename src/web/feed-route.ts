// The history feeds' routes: the same entries, as Atom or as RSS.
import type { APIRoute } from 'astro';
import { getDb } from '../db/client.ts';
import { loadHistoryFeed, renderAtom, renderRss } from '../domain/feeds.ts';
import { siteDefaultLocale } from '../i18n/site-locale.ts';
import { messageContext } from './message-context.ts';
import { visibilityOf } from './visibility.ts';

const FORMATS = {
  atom: { render: renderAtom, type: 'application/atom+xml; charset=utf-8', path: '/history.atom' },
  rss: { render: renderRss, type: 'application/rss+xml; charset=utf-8', path: '/history.rss' },
} as const;

export function feedRoute(format: keyof typeof FORMATS): APIRoute {
  const { render, type, path } = FORMATS[format];
  return async ({ locals }) => {
    const ctx = await messageContext();
    const feed = await loadHistoryFeed(getDb(), ctx, ctx.siteName, await visibilityOf(locals), locals.locale);
    // The feed names itself as read: under a member's feed link when it came through one (a
    // reader that follows its self link must not fall back to the public feed), and with its
    // language when it is not the site's own.
    const base = `${ctx.publicUrl}${locals.feedLink ?? ''}`;
    const self = `${base}${path}${locals.locale === siteDefaultLocale() ? '' : `?lang=${locals.locale}`}`;
    return new Response(render(feed, self), { headers: { 'content-type': type } });
  };
}
