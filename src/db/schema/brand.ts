// Uploaded brand images (logo, favicon). Kept by content hash: a URL names one version for good,
// so browsers and CDNs may cache it forever, and a new upload gets a new URL.
import { sqliteTable, integer, text, blob, index } from 'drizzle-orm/sqlite-core';

export const brandAssets = sqliteTable(
  'brand_assets',
  {
    // The file name served under /brand/: "<sha-256 prefix>.<ext>".
    file: text('file').primaryKey(),
    kind: text('kind', { enum: ['logo', 'favicon'] }).notNull(),
    contentType: text('content_type').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('brand_assets_kind_idx').on(t.kind, t.createdAt)],
);
