/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    user: import('./domain/auth/sessions.ts').SessionUser | null;
    sessionId: string | null;
    /** For /api/v1: the bearer token's scope. */
    tokenScope: import('./domain/auth/roles.ts').TokenScope | null;
    /** The language the answer is in (src/web/middleware/locale.ts); the admin is English. */
    locale: import('./domain/locales.ts').Locale;
    /**
     * Who reads the public side: the public, or a viewer admitted to audiences (set by
     * src/web/middleware/viewer.ts; never from staff identity).
     */
    viewer: import('./domain/audiences/viewer.ts').Viewer;
    /**
     * A member's secret feed link the request came through (`/my/<token>`, set by
     * src/web/middleware/feed-links.ts): a feed names itself under it, not under the public path.
     */
    feedLink?: string;
    /** The page's settings, read once per request on first use (src/web/site-settings.ts). */
    site: () => Promise<import('./domain/site-settings.ts').SiteSettings>;
  }
}
