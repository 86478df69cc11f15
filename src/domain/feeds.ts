// Atom and RSS feeds of the page's history: one entry per incident and per maintenance window
// (every update inside, newest first) and one per published post-mortem. Entry ids are stable,
// so a reader shows an incident's new update as a change to the same entry rather than a new one.
import { desc } from 'drizzle-orm';
import { incidents as incidentsTable } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { escapeXml, formatUtc, isoTime } from './format.ts';
import { affectedComponentsOf, loadIncidentViews, publicIncident, type IncidentView } from './incidents.ts';
import { renderMarkdown } from './markdown.ts';
import { loadRecentMaintenance, type MaintenanceView } from './maintenance.ts';
import { incidentLink, maintenanceLink, postmortemLink, type MessageContext } from './notify/links.ts';
import { listPostmortems, type PostmortemView } from './rca/postmortems.ts';
import {
  COMPONENT_STATE_LABELS,
  INCIDENT_IMPACT_LABELS,
  INCIDENT_STATUS_LABELS,
  MAINTENANCE_STATUS_LABELS,
} from './status.ts';

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
}

/** The feeds' own words (labels, "Affected", "started") are English, whatever the reader's language. */
const FEED_LANGUAGE = 'en';

/** Ids that survive a change of address: tag URIs (RFC 4151) named after the page's host. */
const tagId = (ctx: MessageContext, what: string) => `tag:${new URL(ctx.publicUrl).hostname},2026:${what}`;

function incidentHtml(incident: IncidentView): string {
  const affected = affectedComponentsOf(incident);
  const head = `<p><strong>${escapeXml(INCIDENT_STATUS_LABELS[incident.status])}</strong> · ${escapeXml(INCIDENT_IMPACT_LABELS[incident.impact])} impact · started ${escapeXml(formatUtc(incident.startedAt))}${
    incident.resolvedAt !== null ? ` · resolved ${escapeXml(formatUtc(incident.resolvedAt))}` : ''
  }</p>`;
  const components = affected.length
    ? `<p>Affected: ${affected.map((a) => `${escapeXml(a.name)} (${escapeXml(COMPONENT_STATE_LABELS[a.newStatus])})`).join(', ')}</p>`
    : '';
  const updates = incident.updates
    .map(
      (u) =>
        `<h3>${escapeXml(INCIDENT_STATUS_LABELS[u.status])} — ${escapeXml(formatUtc(u.displayAt))}</h3>${renderMarkdown(u.body)}${
          u.editedAt !== null ? `<p><em>Edited ${escapeXml(formatUtc(u.editedAt))}</em></p>` : ''
        }`,
    )
    .join('');
  return head + components + updates;
}

function maintenanceHtml(m: MaintenanceView): string {
  const components = m.components.length
    ? `<p>Affected: ${m.components.map((c) => escapeXml(c.name)).join(', ')}</p>`
    : '';
  const updates = m.updates
    .map(
      (u) =>
        `<h3>${escapeXml(MAINTENANCE_STATUS_LABELS[u.status])} — ${escapeXml(formatUtc(u.createdAt))}</h3>${renderMarkdown(u.body)}`,
    )
    .join('');
  return `<p><strong>${escapeXml(MAINTENANCE_STATUS_LABELS[m.status])}</strong> · window ${escapeXml(formatUtc(m.scheduledFor))} – ${escapeXml(formatUtc(m.scheduledUntil))}</p>${components}${updates}`;
}

function postmortemHtml(ctx: MessageContext, pm: PostmortemView): string {
  const note =
    pm.revisions.length > 1
      ? `<p><strong>Updated ${escapeXml(formatUtc(pm.revisions[0].publishedAt))}:</strong> ${escapeXml(pm.revisions[0].changeNote)}</p>`
      : '';
  return `${note}${renderMarkdown(pm.content.summary)}<p>Commitments: ${pm.tally.done} of ${pm.tally.total} done.</p><p><a href="${escapeXml(postmortemLink(ctx, pm.slug))}">Read the full report</a></p>`;
}

export async function loadHistoryFeed(db: DbOrTx, ctx: MessageContext, siteName: string): Promise<Feed> {
  const rows = await db
    .select()
    .from(incidentsTable)
    .where(publicIncident)
    .orderBy(desc(incidentsTable.createdAt), desc(incidentsTable.id))
    .limit(FEED_LIMIT);
  const [views, postmortems, windows] = await Promise.all([
    loadIncidentViews(db, rows),
    listPostmortems(db),
    loadRecentMaintenance(db, FEED_LIMIT),
  ]);
  const entries: FeedEntry[] = [
    ...views.map((i) => ({
      id: tagId(ctx, `incident-${i.id}`),
      title: i.resolvedAt === null ? `${i.title} (${INCIDENT_STATUS_LABELS[i.status]})` : i.title,
      link: incidentLink(ctx, i.id),
      published: i.createdAt,
      updated: i.updatedAt,
      html: incidentHtml(i),
      category: 'incident' as const,
    })),
    ...windows.map((m) => ({
      id: tagId(ctx, `maintenance-${m.id}`),
      title: `Maintenance: ${m.title} (${MAINTENANCE_STATUS_LABELS[m.status]})`,
      link: maintenanceLink(ctx, m.id),
      published: m.createdAt,
      updated: m.updatedAt,
      html: maintenanceHtml(m),
      category: 'maintenance' as const,
    })),
    ...postmortems.map((pm) => ({
      id: tagId(ctx, `postmortem-${pm.slug}`),
      title: pm.content.title,
      link: postmortemLink(ctx, pm.slug),
      published: pm.firstPublishedAt,
      updated: pm.revisions[0].publishedAt,
      html: postmortemHtml(ctx, pm),
      category: 'postmortem' as const,
    })),
  ]
    // Most recently changed first: a reader's newest item is the latest news, not the latest start.
    .sort((a, b) => b.updated - a.updated || b.published - a.published)
    .slice(0, FEED_LIMIT);
  return {
    id: tagId(ctx, 'history'),
    title: `${siteName} status history`,
    link: `${ctx.publicUrl}/history`,
    description: `Incidents and post-incident reports of ${siteName}.`,
    updated: entries.length ? Math.max(...entries.map((e) => e.updated)) : Date.now(),
    entries,
  };
}

export function renderAtom(feed: Feed, selfUrl: string): string {
  const entries = feed.entries
    .map(
      (e) => `<entry>
<id>${escapeXml(e.id)}</id>
<title>${escapeXml(e.title)}</title>
<link rel="alternate" type="text/html" href="${escapeXml(e.link)}"/>
<published>${isoTime(e.published)}</published>
<updated>${isoTime(e.updated)}</updated>
<category term="${e.category}"/>
<content type="html">${escapeXml(e.html)}</content>
</entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${FEED_LANGUAGE}">
<id>${escapeXml(feed.id)}</id>
<title>${escapeXml(feed.title)}</title>
<subtitle>${escapeXml(feed.description)}</subtitle>
<link rel="self" type="application/atom+xml" href="${escapeXml(selfUrl)}"/>
<link rel="alternate" type="text/html" href="${escapeXml(feed.link)}"/>
<updated>${isoTime(feed.updated)}</updated>
<author><name>${escapeXml(feed.title)}</name></author>
${entries}
</feed>
`;
}

export function renderRss(feed: Feed, selfUrl: string): string {
  const items = feed.entries
    .map(
      (e) => `<item>
<title>${escapeXml(e.title)}</title>
<link>${escapeXml(e.link)}</link>
<guid isPermaLink="false">${escapeXml(e.id)}</guid>
<pubDate>${new Date(e.published).toUTCString()}</pubDate>
<category>${e.category}</category>
<description>${escapeXml(e.html)}</description>
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${escapeXml(feed.title)}</title>
<link>${escapeXml(feed.link)}</link>
<description>${escapeXml(feed.description)}</description>
<language>${FEED_LANGUAGE}</language>
<atom:link rel="self" type="application/rss+xml" href="${escapeXml(selfUrl)}"/>
<lastBuildDate>${new Date(feed.updated).toUTCString()}</lastBuildDate>
${items}
</channel>
</rss>
`;
}
