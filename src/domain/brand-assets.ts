// The logo and favicon: checked (brand-images.ts), stored under a name made of their content hash,
// and named in the settings. Their URL (/brand/<hash>.<ext>) changes with every new image, so it
// can be cached for good; setting or removing one is a settings change like any other (audited,
// announced on the change feed).
import { createHash } from 'node:crypto';
import { and, eq, lt, notInArray } from 'drizzle-orm';
import { z } from 'zod';
import { brandAssets } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { checkBrandImage, type BrandImageKind } from './brand-images.ts';
import { parseInput } from './errors.ts';
import { loadSiteSettings, writeSiteSettingsIn, type SiteSettings } from './site-settings.ts';

export const BRAND_PATH_PREFIX = '/brand/';

/** Older images stay servable this long after being replaced (pages and CDNs still name them). */
const KEEP_REPLACED_MS = 7 * 86_400_000;

const FILE_NAME = /^[0-9a-f]{32}\.(png|jpg|webp|svg)$/;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An image sent to the API: its bytes as base64 (JSON has no bytes). */
export const imageUploadSchema = z
  .strictObject({
    data: z
      .string({ error: 'is required: the image file, base64-encoded' })
      .transform((v) => v.replace(/\s+/g, ''))
      .refine((v) => v.length % 4 === 0 && BASE64.test(v), 'must be the image file encoded as base64')
      .describe(
        'The image file, base64-encoded: PNG, JPEG, WebP or SVG (checked by content; an SVG is sanitised, and refused if it holds a script, an event handler or a reference to another file). Logo at most 512 KB, favicon at most 128 KB.',
      ),
  })
  .meta({ id: 'ImageUpload' });

/** The bytes of an API upload (see imageUploadSchema). */
export function uploadedBytes(input: unknown): Uint8Array {
  return Buffer.from(parseInput(imageUploadSchema, input).data, 'base64');
}

/** The public URL of a stored image, or null for none. */
export function brandAssetUrl(file: string | null): string | null {
  return file === null ? null : `${BRAND_PATH_PREFIX}${file}`;
}

export interface BrandAsset {
  contentType: string;
  bytes: Buffer;
}

/** The stored image named `file` (as in its URL); null when there is none. */
export async function loadBrandAsset(db: DbOrTx, file: string): Promise<BrandAsset | null> {
  if (!FILE_NAME.test(file)) return null;
  const [row] = await db
    .select({ contentType: brandAssets.contentType, bytes: brandAssets.bytes })
    .from(brandAssets)
    .where(eq(brandAssets.file, file));
  return row ?? null;
}

/** Checks `data`, stores it and makes it the page's logo or favicon. */
export async function setBrandImage(
  db: Db,
  kind: BrandImageKind,
  data: Uint8Array,
  now = Date.now(),
): Promise<SiteSettings> {
  const image = await checkBrandImage(kind, data);
  const hash = createHash('sha256').update(image.bytes).digest('hex').slice(0, 32);
  const file = `${hash}.${image.ext}`;
  return db.transaction(async (tx) => {
    await tx
      .insert(brandAssets)
      .values({ file, kind, contentType: image.contentType, bytes: image.bytes, createdAt: now })
      .onConflictDoNothing();
    const before = await loadSiteSettings(tx);
    const after = await writeSiteSettingsIn(tx, before, { ...before, [kind]: file }, `settings.${kind}.set`, now);
    await pruneReplaced(tx, after, now);
    return after;
  });
}

/** Removes the logo (the page shows its name instead) or the favicon (Candor's own comes back). */
export async function removeBrandImage(db: Db, kind: BrandImageKind, now = Date.now()): Promise<SiteSettings> {
  return db.transaction(async (tx) => {
    const before = await loadSiteSettings(tx);
    const after = await writeSiteSettingsIn(tx, before, { ...before, [kind]: null }, `settings.${kind}.remove`, now);
    await pruneReplaced(tx, after, now);
    return after;
  });
}

/** Drops images nobody names any more, once they are old enough that no cached page still does. */
async function pruneReplaced(tx: DbOrTx, current: SiteSettings, now: number): Promise<void> {
  const inUse = [current.logo, current.favicon].filter((f): f is string => f !== null);
  await tx
    .delete(brandAssets)
    .where(
      and(
        lt(brandAssets.createdAt, now - KEEP_REPLACED_MS),
        inUse.length ? notInArray(brandAssets.file, inUse) : undefined,
      ),
    );
}
