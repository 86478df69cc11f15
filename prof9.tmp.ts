import { getDb } from '/work/wt-history/src/db/client.ts';
import { sql } from 'drizzle-orm';
import { listComponents, listGroups } from '/work/wt-history/src/domain/components.ts';
import { loadUptimes } from '/work/wt-history/src/domain/uptime-rollups.ts';
const db = getDb();
async function time(name: string, fn: () => Promise<unknown> | unknown) {
  for (let i = 0; i < 5; i++) await fn();
  const t = performance.now();
  for (let i = 0; i < 40; i++) await fn();
  console.log(name, ((performance.now() - t) / 40).toFixed(2));
}
const ws = Date.now() - 89 * 86400000;
await time('sql', () => db.all(sql`SELECT json_group_array(json_array(component_id, day, status, ms)) AS days FROM component_uptime_days WHERE day >= ${ws}`));
const [{ days }] = await db.all<{ days: string }>(sql`SELECT json_group_array(json_array(component_id, day, status, ms)) AS days FROM component_uptime_days WHERE day >= ${ws}`);
console.log(days.length, JSON.parse(days).length);
await time('parse', () => JSON.parse(days));
await time('sql2', () => db.all(sql`SELECT json_group_array(json_array(component_id, day, states)) FROM (SELECT component_id, day, json_group_object(status, ms) AS states FROM component_uptime_days WHERE day >= ${ws} GROUP BY component_id, day)`));
await time('lists', () => Promise.all([listGroups(db), listComponents(db)]));
const ids = (await listComponents(db)).map((c) => c.id);
await time('uptimes', () => loadUptimes(db, ids, Date.now()));
