// The first start's settings, from content/: the page's settings, the RCA glossary and the alert
// routes. Written only where nothing is stored yet, so editing the files later changes nothing
// (edit them in the admin instead), and instances starting together cannot overwrite each other.
import type { DbOrTx } from '../db/client.ts';
import { seedAlertConfig } from '../domain/alert-routes.ts';
import { seedGlossary } from '../domain/rca/glossary-store.ts';
import { seedSiteSettings } from '../domain/site-settings.ts';

export async function seedSettings(db: DbOrTx): Promise<void> {
  await seedSiteSettings(db);
  await seedGlossary(db);
  await seedAlertConfig(db);
}
