// Which part of Candor a path belongs to: the admin, the automation API, a subscriber's personal
// pages or the public read path. One set of rules for the Astro middleware (who must sign in) and
// the front server (what may be cached, how large a body may be). Imports nothing, so src/server
// can use it without loading Astro.

/** The automation API's own description: public, so tools can read it before anyone has a token. */
export const API_DESCRIPTION_PATH = '/api/v1/openapi.json';

/** Live updates (server-sent events): one long answer per reader, never cached. */
export const LIVE_PATH = '/events';

/** Admin pages reached without a session: signing in, the first admin's setup, a password link. */
const OPEN_ADMIN_PATHS = new Set(['/admin/login', '/admin/setup', '/admin/password']);

/**
 * The path as Astro will route it: percent-decoded, repeated slashes and dot segments removed.
 * Classifying the raw path would let `/%61dmin/…` reach an admin page through the public cache.
 */
export function routedPath(rawPath: string): string {
  // The common case, on the hot path: nothing encoded, doubled or dotted, so nothing to resolve.
  if (!/%|\/\/|\/\.\.?(\/|$)/.test(rawPath)) return rawPath;
  let decoded = rawPath;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    // malformed escapes: Astro answers these itself; classify the raw text
  }
  return new URL(decoded.replace(/\/{2,}/g, '/'), 'http://candor.invalid').pathname;
}

/** The admin: `/admin` and everything under it. Signed-in staff only, except the open paths. */
export function isAdminPath(path: string): boolean {
  return path === '/admin' || path.startsWith('/admin/');
}

/** Admin pages that answer without a session (the rest send a visitor to the login page). */
export function isOpenAdminPath(path: string): boolean {
  return OPEN_ADMIN_PATHS.has(path);
}

/** The automation API, alert webhooks included. */
export function isApiV1Path(path: string): boolean {
  return path.startsWith('/api/v1/');
}

/** API paths that need a bearer token: all of /api/v1 except its description. */
export function needsApiToken(path: string): boolean {
  return isApiV1Path(path) && path !== API_DESCRIPTION_PATH;
}

/** Anything under /api/ (v1 and the public v2 JSON): its refusals use the API's error shape. */
export function isApiPath(path: string): boolean {
  return path.startsWith('/api/');
}

/**
 * Pages reached by a secret link (a subscriber's, a member's feed URLs under /my/, a viewer's
 * sign-in link), a member's own page (/my) and the viewer sign-in pages (/access, which say who is
 * signed in): personal, never cached or shared.
 */
export function isPersonalPath(path: string): boolean {
  return (
    path.startsWith('/subscription/') ||
    path.startsWith('/subscribe/confirm/') ||
    path === '/my' ||
    path.startsWith('/my/') ||
    path === '/access' ||
    path.startsWith('/access/')
  );
}

/** Staff areas (admin forms, the API, alert webhooks): they may send larger bodies than the public forms. */
export function isStaffPath(path: string): boolean {
  return isAdminPath(path) || isApiV1Path(path);
}

/**
 * A write that may change public pages, so the front server drops its cache at once instead of
 * waiting for the change feed. Subscriber forms change no public page and do not match. Matched by
 * prefix on the raw path, more loosely than isStaffPath: a stray match only empties the cache early.
 */
export function isStaffWritePath(rawPath: string): boolean {
  return rawPath.startsWith('/admin') || isApiPath(rawPath);
}

/** Whether the page cache may answer: a GET or HEAD outside the admin, the API, live updates and personal pages. */
export function isPublicPath(method: string | undefined, rawPath: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = routedPath(rawPath);
  return !(isAdminPath(path) || isApiV1Path(path) || path === LIVE_PATH || isPersonalPath(path));
}

/**
 * Public answers that speak the visitor's language (src/i18n/locale-choice.ts): every public page,
 * feed, the calendar and the widget. The JSON APIs and the badge are the same for everyone.
 */
export function isLocalisedPath(path: string): boolean {
  return !(isApiPath(path) || path === '/badge.svg' || path.startsWith('/live/'));
}
