// Atom and RSS feeds of the page's history: one entry per incident and per maintenance window
// (every update inside, newest first) and one per published post-mortem. Entry ids are stable,
// so a reader shows an incident's new update as a change to the same entry rather than a new one.
import type { DbOrTx } from '../db/client.ts';
import { escapeMarkup, formatInZone, isoTime } from './format.ts';
import { affectedComponentsOf, loadIncidentList, type IncidentView } from './incidents.ts';
import { visibleIncident, type Visibility } from './audiences/visibility.ts';
import { incidentsFor } from './audiences/visible-views.ts';
import { renderMarkdown } from './markdown.ts';
import { loadRecentMaintenance, type MaintenanceView } from './maintenance.ts';
import { incidentLink, maintenanceLink, postmortemLink, type MessageContext } from './notify/links.ts';
import { listPostmortems, type PostmortemView } from './rca/postmortems.ts';
import type { Locale } from './locales.ts';
import { componentStateLabel, impactLabel, incidentStatusLabel, maintenanceStatusLabel } from '../i18n/labels.ts';
import { siteDefaultLocale } from '../i18n/site-locale.ts';
import { t } from '../i18n/t.ts';

/** Entries in a feed: enough for a reader to catch up, the rest is on /history. */
export const FEED_LIMIT = 25;

export interface FeedEntry {
  id: string;
  title: string;
  link: string;
  published: number;
  updated: number;
  /** The entry's body as HTML (escaped into the XML). */
  html: string;
  category: 'incident' | 'maintenance' | 'postmortem';
}

export interface Feed {
  /** A tag URI named after PUBLIC_URL's host: the same whatever address the feed was fetched at. */
  id: string;
  title: string;
  /** The HTML page the feed mirrors. */
  link: string;
  description: string;
  updated: number;
  entries: FeedEntry[];
  /** The language of the feed's own words (labels, "Affected", "started"); entries are as staff wrote them. */
  language: Locale;
}

/** Ids that survive a change of address: tag URIs (RFC 4151) named after the page's host. */
const tagId = (ctx: MessageContext, what: string) => `tag:${new URL(ctx.publicUrl).hostname},2026:${what}`;

function incidentHtml(ctx: MessageContext, incident: IncidentView, locale: Locale): string {
  const affected = affectedComponentsOf(incident);
  const status = escapeMarkup(incidentStatusLabel(locale, incident.status));
  const line = t(locale, 'incident.stateLine', {
    status: '\u0000',
    impact: impactLabel(locale, incident.impact),
    started: formatInZone(incident.startedAt, ctx.timeZone, locale),
  });
  const resolved =
    incident.resolvedAt !== null
      ? t(locale, 'incident.resolvedAt', { time: formatInZone(incident.resolvedAt, ctx.timeZone, locale) })
      : '';
  const head = `<p>${escapeMarkup(line + resolved).replace('\u0000', `<strong>${status}</strong>`)}</p>`;
  const list = affected.map((a) => `${a.name} (${componentStateLabel(locale, a.newStatus)})`).join(', ');
  const components = affected.length ? `<p>${escapeMarkup(t(locale, 'feed.affected', { list }))}</p>` : '';
  const updates = incident.updates
    .map(
      (u) =>
        `<h3>${escapeMarkup(incidentStatusLabel(locale, u.status))} — ${escapeMarkup(formatInZone(u.displayAt, ctx.timeZone, locale))}</h3>${renderMarkdown(u.body)}${
          u.editedAt !== null
            ? `<p><em>${escapeMarkup(t(locale, 'feed.edited', { time: formatInZone(u.editedAt, ctx.timeZone, locale) }))}</em></p>`
            : ''
        }`,
    )
    .join('');
  return head + components + updates;
}

function maintenanceHtml(ctx: MessageContext, m: MaintenanceView, locale: Locale): string {
  const list = m.components.map((c) => c.name).join(', ');
  const components = m.components.length ? `<p>${escapeMarkup(t(locale, 'feed.affected', { list }))}</p>` : '';
  const updates = m.updates
    .map(
      (u) =>
        `<h3>${escapeMarkup(maintenanceStatusLabel(locale, u.status))} — ${escapeMarkup(formatInZone(u.createdAt, ctx.timeZone, locale))}</h3>${renderMarkdown(u.body)}`,
    )
    .join('');
  const window = t(locale, 'feed.window', {
    from: formatInZone(m.scheduledFor, ctx.timeZone, locale),
    until: formatInZone(m.scheduledUntil, ctx.timeZone, locale),
  });
  return `<p><strong>${escapeMarkup(maintenanceStatusLabel(locale, m.status))}</strong> · ${escapeMarkup(window)}</p>${components}${updates}`;
}

function postmortemHtml(ctx: MessageContext, pm: PostmortemView, locale: Locale, link: string): string {
  const note =
    pm.revisions.length > 1
      ? `<p><strong>${escapeMarkup(t(locale, 'feed.reportUpdated', { time: formatInZone(pm.revisions[0].publishedAt, ctx.timeZone, locale) }))}</strong> ${escapeMarkup(pm.revisions[0].changeNote)}</p>`
      : '';
  const tally = t(locale, 'feed.commitments', { done: pm.tally.done, total: pm.tally.total });
  return `${note}${renderMarkdown(pm.content.summary)}<p>${escapeMarkup(tally)}</p><p><a href="${escapeMarkup(link)}">${escapeMarkup(t(locale, 'feed.readReport'))}</a></p>`;
}

/**
 * The feed in `locale`. Its links open the page in that language when it is not the site's own
 * (a feed reader brings no cookie); entry ids are the same in every language.
 */
export async function loadHistoryFeed(
  db: DbOrTx,
  ctx: MessageContext,
  siteName: string,
  v: Visibility,
  locale: Locale = 'en',
): Promise<Feed> {
  const linkLocale = locale === siteDefaultLocale() ? undefined : locale;
  const [views, postmortems, windows] = await Promise.all([
    loadIncidentList(db, visibleIncident(v), 'createdAt', { limit: FEED_LIMIT }).then((list) => incidentsFor(v, list)),
    listPostmortems(db, v),
    loadRecentMaintenance(db, FEED_LIMIT, v),
  ]);
  const entries: FeedEntry[] = [
    ...views.map((i) => ({
      id: tagId(ctx, `incident-${i.id}`),
      title: i.resolvedAt === null ? `${i.title} (${incidentStatusLabel(locale, i.status)})` : i.title,
      link: incidentLink(ctx, i.id, linkLocale),
      published: i.createdAt,
      updated: i.updatedAt,
      html: incidentHtml(ctx, i, locale),
      category: 'incident' as const,
    })),
    ...windows.map((m) => ({
      id: tagId(ctx, `maintenance-${m.id}`),
      title: t(locale, 'feed.maintenanceTitle', { title: m.title, status: maintenanceStatusLabel(locale, m.status) }),
      link: maintenanceLink(ctx, m.id, linkLocale),
      published: m.createdAt,
      updated: m.updatedAt,
      html: maintenanceHtml(ctx, m, locale),
      category: 'maintenance' as const,
    })),
    ...postmortems.map((pm) => ({
      id: tagId(ctx, `postmortem-${pm.slug}`),
      title: pm.content.title,
      link: postmortemLink(ctx, pm.slug, linkLocale),
      published: pm.firstPublishedAt,
      updated: pm.revisions[0].publishedAt,
      html: postmortemHtml(ctx, pm, locale, postmortemLink(ctx, pm.slug, linkLocale)),
      category: 'postmortem' as const,
    })),
  ]
    // Most recently changed first: a reader's newest item is the latest news, not the latest start.
    .sort((a, b) => b.updated - a.updated || b.published - a.published)
    .slice(0, FEED_LIMIT);
  return {
    id: tagId(ctx, 'history'),
    title: t(locale, 'feed.title', { site: siteName }),
    link: `${ctx.publicUrl}/history${linkLocale ? `?lang=${linkLocale}` : ''}`,
    description: t(locale, 'feed.description', { site: siteName }),
    updated: entries.length ? Math.max(...entries.map((e) => e.updated)) : Date.now(),
    entries,
    language: locale,
  };
}

export function renderAtom(feed: Feed, selfUrl: string): string {
  const entries = feed.entries
    .map(
      (e) => `<entry>
<id>${escapeMarkup(e.id)}</id>
<title>${escapeMarkup(e.title)}</title>
<link rel="alternate" type="text/html" href="${escapeMarkup(e.link)}"/>
<published>${isoTime(e.published)}</published>
<updated>${isoTime(e.updated)}</updated>
<category term="${e.category}"/>
<content type="html">${escapeMarkup(e.html)}</content>
</entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${feed.language}">
<id>${escapeMarkup(feed.id)}</id>
<title>${escapeMarkup(feed.title)}</title>
<subtitle>${escapeMarkup(feed.description)}</subtitle>
<link rel="self" type="application/atom+xml" href="${escapeMarkup(selfUrl)}"/>
<link rel="alternate" type="text/html" href="${escapeMarkup(feed.link)}"/>
<updated>${isoTime(feed.updated)}</updated>
<author><name>${escapeMarkup(feed.title)}</name></author>
${entries}
</feed>
`;
}

export function renderRss(feed: Feed, selfUrl: string): string {
  const items = feed.entries
    .map(
      (e) => `<item>
<title>${escapeMarkup(e.title)}</title>
<link>${escapeMarkup(e.link)}</link>
<guid isPermaLink="false">${escapeMarkup(e.id)}</guid>
<pubDate>${new Date(e.published).toUTCString()}</pubDate>
<category>${e.category}</category>
<description>${escapeMarkup(e.html)}</description>
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${escapeMarkup(feed.title)}</title>
<link>${escapeMarkup(feed.link)}</link>
<description>${escapeMarkup(feed.description)}</description>
<language>${feed.language}</language>
<atom:link rel="self" type="application/rss+xml" href="${escapeMarkup(selfUrl)}"/>
<lastBuildDate>${new Date(feed.updated).toUTCString()}</lastBuildDate>
${items}
</channel>
</rss>
`;
}
