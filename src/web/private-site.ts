// The whole-site switch (issue 20): with `privateSite` on, only admitted viewers read the page.
// What a public request meets depends on what it asked for: a page sends the reader to sign in, a
// machine surface (JSON, feeds, calendar, badge, widget, live updates, MCP) answers 401 (in plain
// text, or the API's error shape under /api/), and the ways in and staff's own doors stay open.
// Imports nothing, so the front server can use it.

export type PrivateSiteRule = 'open' | 'page' | 'machine';

/** Where viewers sign in. */
export const ACCESS_PATH = '/access';

const OPEN_EXACT = new Set(['/healthz', '/readyz', '/metrics', '/favicon.svg', '/robots.txt', '/admin']);
// `/my/<token>/…`: a member's feed link, admitted by its token or refused (src/web/middleware/feed-links.ts).
const OPEN_PREFIXES = ['/brand/', '/admin/', '/api/v1/', '/_astro/', '/my/'];
const MACHINE_EXACT = new Set([
  '/events',
  '/mcp',
  '/badge.svg',
  '/widget',
  '/widget.js',
  '/history.atom',
  '/history.rss',
  '/maintenance.ics',
]);
const MACHINE_PREFIXES = ['/api/', '/live/'];

/** The viewer sign-in pages. */
export function isAccessPath(path: string): boolean {
  return path === ACCESS_PATH || path.startsWith(`${ACCESS_PATH}/`);
}

/** How the private-site gate treats `path` (already routed: decoded, dot segments resolved). */
export function privateSiteRule(path: string): PrivateSiteRule {
  if (isAccessPath(path) || OPEN_EXACT.has(path) || OPEN_PREFIXES.some((p) => path.startsWith(p))) return 'open';
  if (MACHINE_EXACT.has(path) || MACHINE_PREFIXES.some((p) => path.startsWith(p))) return 'machine';
  return 'page';
}

/**
 * Surfaces the front server answers itself (live updates, live fragments, MCP): it admits or
 * refuses each reader there (src/server/private-site-gate.ts). What of them reaches Astro is its
 * own rendering (a fragment to cache, a document for MCP), which carries no reader to admit.
 */
export function gatedByFrontServer(path: string): boolean {
  return path === '/events' || path === '/mcp' || path.startsWith('/live/');
}

/** Where a page sends a reader who must sign in first: back to `pathAndQuery` afterwards. */
export function signInRedirect(pathAndQuery: string): string {
  return `${ACCESS_PATH}?next=${encodeURIComponent(pathAndQuery)}`;
}

/** The plain-text 401 a machine surface answers on a private site. */
export function privateSiteRefusal(publicUrl: string): string {
  return `This status page is private. Sign in at ${publicUrl}${ACCESS_PATH} to read it.\n`;
}
