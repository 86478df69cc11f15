// The page's identity, edited in content/site.json.
import site from '#content/site.json' with { type: 'json' };

export interface SiteSettings {
  name: string;
  description: string;
  supportUrl: string;
}

export const SITE: SiteSettings = site;
