// The page's settings for the request being answered: read from the database at most once per
// request (the middleware puts a memoised reader in `locals.site`), so a change made through any
// instance shows on the next render without a restart.
import { getDb } from '../db/client.ts';
import { loadSiteSettings, type SiteSettings } from '../domain/site-settings.ts';

/** The current settings (one query). */
export function siteSettings(): Promise<SiteSettings> {
  return loadSiteSettings(getDb());
}

/** A reader that queries on first use and then answers from the same result. */
export function settingsOnce(): () => Promise<SiteSettings> {
  let pending: Promise<SiteSettings> | undefined;
  return () => (pending ??= siteSettings());
}
