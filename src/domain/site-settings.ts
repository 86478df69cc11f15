// The page's settings (name, description, brand colour, links, footer, time zone, language,
// support contact, "Powered by Candor", logo and favicon), stored in the database as one document
// so every instance reads the same. content/site.json is only the first start's default. A change
// is audited and announced on the change feed as a structure change, in the same transaction:
// every instance drops its page cache and open pages fetch themselves again.
import { z } from 'zod';
import siteFile from '#content/site.json' with { type: 'json' };
import type { Db, DbOrTx } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { brandColourProblem, normaliseHex } from './brand-colour.ts';
import { recordChange } from './changes.ts';
import { InputError, oneOf, parseInput } from './errors.ts';
import { SUPPORTED_LOCALES, type Locale } from './locales.ts';
import {
  readSettingsDocument,
  seedSettingsDocument,
  SETTINGS_KEYS,
  writeSettingsDocumentIn,
} from './settings-store.ts';
import { httpUrlSchema, isHttpUrl } from './urls.ts';

export const MAX_HEADER_LINKS = 5;

export interface HeaderLink {
  label: string;
  url: string;
}

export interface SiteSettings {
  name: string;
  description: string;
  /** #rrggbb; white text on it passes WCAG AA. */
  brandColor: string;
  headerLinks: HeaderLink[];
  /** Markdown, rendered and sanitised by domain/markdown.ts. */
  footerMarkdown: string;
  /** IANA zone the page's times are shown in (canonical spelling). */
  timeZone: string;
  defaultLocale: Locale;
  /** An http(s) address or an email address; empty for none. */
  supportContact: string;
  showPoweredBy: boolean;
  /**
   * The whole-site switch (issue 20): on, even `/` is for admitted viewers only (an internal
   * status page); see src/domain/audiences/visibility.ts.
   */
  privateSite: boolean;
  /** File names under /brand/ (see brand-assets.ts), null for none. */
  logo: string | null;
  favicon: string | null;
}

/**
 * Zones Intl knew, by the name given. Asking Intl costs a quarter of a millisecond, and the
 * settings (with their zone) are read several times for every page rendered. Only zones Intl
 * knows are kept, and the memo starts over past 1,000 names (the same zone spelt many ways).
 */
const knownZones = new Map<string, string>();

/** The IANA zone's canonical name ("europe/paris" → "Europe/Paris"), or null when Intl does not know it. */
export function canonicalTimeZone(value: string): string | null {
  const known = knownZones.get(value);
  if (known !== undefined) return known;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return null;
  try {
    const zone = new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
    if (knownZones.size >= 1_000) knownZones.clear();
    knownZones.set(value, zone);
    return zone;
  } catch {
    return null;
  }
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/** The link a support contact becomes: itself for a web address, mailto: for an email address. */
export function supportHref(contact: string): string | undefined {
  if (isHttpUrl(contact)) return contact;
  return EMAIL.test(contact) ? `mailto:${contact}` : undefined;
}

const text = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .max(max, `must be at most ${max.toLocaleString('en')} characters`);

const brandColor = z
  .string({ error: 'must be a colour written as #rrggbb, such as #0550ae' })
  .transform((value, ctx) => {
    const hex = normaliseHex(value);
    if (!hex) {
      ctx.addIssue({ code: 'custom', message: 'must be a colour written as #rrggbb, such as #0550ae', input: value });
      return z.NEVER;
    }
    const problem = brandColourProblem(hex);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem, input: value });
      return z.NEVER;
    }
    return hex;
  });

const timeZone = z.string({ error: 'must be a time zone name, such as Europe/Paris or UTC' }).transform((v, ctx) => {
  const zone = canonicalTimeZone(v.trim());
  if (!zone) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a time zone name from the IANA database, such as Europe/Paris or UTC (got ${JSON.stringify(v.slice(0, 40))})`,
      input: v,
    });
    return z.NEVER;
  }
  return zone;
});

const supportContact = text(300).refine(
  (v) => v === '' || supportHref(v) !== undefined,
  'must be a web address starting with http:// or https://, or an email address, such as support@example.com',
);

const headerLink = z.strictObject({
  label: text(40).min(1, 'is required'),
  url: httpUrlSchema,
});

/** Every field a change may set (PATCH: any subset). Logo and favicon are set by upload. */
export const settingsPatchSchema = z.strictObject({
  name: text(80).min(1, 'is required').optional(),
  description: text(300).optional(),
  brandColor: brandColor.optional(),
  headerLinks: z.array(headerLink).max(MAX_HEADER_LINKS, `must have at most ${MAX_HEADER_LINKS} links`).optional(),
  footerMarkdown: text(2000).optional(),
  timeZone: timeZone.optional(),
  defaultLocale: oneOf(SUPPORTED_LOCALES).optional(),
  supportContact: supportContact.optional(),
  showPoweredBy: z.boolean({ error: 'must be true or false' }).optional(),
  privateSite: z.boolean({ error: 'must be true or false' }).optional(),
});

export type SettingsPatch = z.output<typeof settingsPatchSchema>;

const { $comment: _comment, ...fileDefaults } = siteFile;

/** The first start's settings: content/site.json, validated like any change. */
export const SITE_DEFAULTS: SiteSettings = {
  ...(parseInput(settingsPatchSchema, fileDefaults) as Required<SettingsPatch>),
  logo: null,
  favicon: null,
};

const storedSchema = settingsPatchSchema.extend({
  logo: z.string().nullable().optional(),
  favicon: z.string().nullable().optional(),
});

/**
 * Stored settings over the defaults, field by field: a field added in a later version starts at
 * its default, and a stored value a tightened rule no longer accepts falls back to its default
 * instead of breaking every page.
 */
function fromStored(value: unknown): SiteSettings {
  if (typeof value !== 'object' || value === null) return SITE_DEFAULTS;
  const raw = value as Record<string, unknown>;
  const result: Record<string, unknown> = { ...SITE_DEFAULTS };
  for (const [key, schema] of Object.entries(storedSchema.shape)) {
    if (!Object.hasOwn(raw, key)) continue;
    const parsed = schema.safeParse(raw[key]);
    if (parsed.success && parsed.data !== undefined) result[key] = parsed.data;
  }
  return result as unknown as SiteSettings;
}

/** The page's current settings (the defaults until someone changes them). */
export async function loadSiteSettings(db: DbOrTx): Promise<SiteSettings> {
  return fromStored(await readSettingsDocument(db, SETTINGS_KEYS.site));
}

/** Writes the whole document, audits the fields that changed and announces it. */
export async function writeSiteSettingsIn(
  tx: DbOrTx,
  before: SiteSettings,
  next: SiteSettings,
  action: string,
  now = Date.now(),
): Promise<SiteSettings> {
  const changed = (Object.keys(next) as (keyof SiteSettings)[]).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(next[key]),
  );
  if (changed.length === 0) return before;
  await writeSettingsDocumentIn(tx, SETTINGS_KEYS.site, next);
  await recordAudit(
    tx,
    {
      action,
      subjectType: 'settings',
      subjectId: SETTINGS_KEYS.site,
      before: Object.fromEntries(changed.map((k) => [k, before[k]])),
      after: Object.fromEntries(changed.map((k) => [k, next[k]])),
    },
    now,
  );
  // A structure change: open pages reload their main region, header and footer with it.
  await recordChange(tx, 'structure', 'settings');
  return next;
}

/** Applies a change to any subset of the settings; unknown fields and bad values are refused whole. */
export async function updateSiteSettings(db: Db, input: unknown, now = Date.now()): Promise<SiteSettings> {
  const patch = parseInput(settingsPatchSchema, input);
  if (Object.keys(patch).length === 0)
    throw new InputError(
      'Nothing to change: send at least one setting, such as {"name": "Example status"}. Logo and favicon are uploaded separately.',
    );
  return db.transaction(async (tx) => {
    const before = await loadSiteSettings(tx);
    return writeSiteSettingsIn(tx, before, { ...before, ...patch }, 'settings.update', now);
  });
}

/**
 * Writes content/site.json's settings on the first start, so later edits of the file change
 * nothing. Another instance doing the same at the same moment is harmless.
 */
export async function seedSiteSettings(db: DbOrTx): Promise<void> {
  await seedSettingsDocument(db, SETTINGS_KEYS.site, SITE_DEFAULTS);
}
