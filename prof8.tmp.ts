import { getDb, closeDb } from '/work/wt-history/src/db/client.ts';
import { loadStatusPage, loadComponentViews, loadIncidentDays } from '/work/wt-history/src/domain/public-page.ts';
import { postmortemSlugsFor } from '/work/wt-history/src/domain/rca/postmortems.ts';
async function time(name: string, fn: () => Promise<unknown> | unknown) {
  for (let i = 0; i < 5; i++) await fn();
  const t = performance.now();
  for (let i = 0; i < 40; i++) await fn();
  return ((performance.now() - t) / 40);
}
const out: Record<string, string[]> = {};
import { migrateDatabase } from '/work/wt-history/src/db/migrate.ts';
import { seedDemo } from '/work/wt-history/src/seed/demo.ts';
const demoFile = '/tmp/hprof/demo-' + Date.now() + '.db';
process.env.DATABASE_URL = 'file:' + demoFile; await migrateDatabase(); await seedDemo(getDb());
for (const f of [demoFile, ...process.argv.slice(2)]) {
  process.env.DATABASE_URL = 'file:' + f; closeDb(); const db = getDb(); const now = Date.now();
  const page = await loadStatusPage(db);
  const ids = page.recentDays.flatMap((d) => d.incidents.map((i) => i.id));
  for (const [n, fn] of [['page', () => loadStatusPage(db)], ['comp', () => loadComponentViews(db, now)], ['days', () => loadIncidentDays(db, now - 6 * 86400000, now)], ['pm', () => postmortemSlugsFor(db, ids)]] as const) {
    (out[n] ??= []).push((await time(n, fn)).toFixed(2));
  }
}
console.log(out);
