// Email sign-in links for audience viewers (issue 20): one-time and short-lived, stored only as
// the SHA-256 of the token the email carries, with the address it proves and where to go next.
import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';

export const viewerLinks = sqliteTable(
  'viewer_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    // Lower-cased: the address the link was sent to, and so the one following it proves.
    email: text('email').notNull(),
    // A same-site path to open after signing in.
    next: text('next').notNull().default('/'),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('viewer_links_expires_idx').on(t.expiresAt)],
);
