// Settings documents in the settings table, one JSON value per key (the page's settings, the RCA
// glossary, the alert routes). Each is read from the database where it is used, so every instance
// uses the same one the moment it is written. content/ files are only the first start's values.
import { eq } from 'drizzle-orm';
import { settings } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';

export const SETTINGS_KEYS = { site: 'site', glossary: 'glossary', alertRoutes: 'alert_routes' } as const;
export type SettingsKey = (typeof SETTINGS_KEYS)[keyof typeof SETTINGS_KEYS];

/** The stored JSON under `key`, parsed; undefined while none was written. */
export async function readSettingsDocument(db: DbOrTx, key: SettingsKey): Promise<unknown> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
}

/** Stores `value` under `key`, replacing what was there (inside the caller's transaction). */
export async function writeSettingsDocumentIn(tx: DbOrTx, key: SettingsKey, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  await tx
    .insert(settings)
    .values({ key, value: text })
    .onConflictDoUpdate({ target: settings.key, set: { value: text } });
}

/** Stores `value` under `key` unless something is there already (the first start's defaults). */
export async function seedSettingsDocument(db: DbOrTx, key: SettingsKey, value: unknown): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value: JSON.stringify(value) })
    .onConflictDoNothing();
}
