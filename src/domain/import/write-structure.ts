// Writes the page's shape: its name (only over Candor's default), component groups, components
// and subscribers. Each item in its own transaction with its record in imported_records, so a run
// cut short leaves whole items and the next run picks up after them. Nobody is notified.
import { and, eq } from 'drizzle-orm';
import { componentGroups, components, componentStatusChanges, subscribers } from '../../db/schema/index.ts';
import { generateToken } from '../auth/tokens.ts';
import { recordChange } from '../changes.ts';
import { setComponents } from '../subscriber-rules.ts';
import { webhookSecret } from '../subscriber-admin.ts';
import { loadSiteSettings, SITE_DEFAULTS, writeSiteSettingsIn } from '../site-settings.ts';
import { foldUptimeChanges } from '../uptime-rollups.ts';
import { count, fingerprint, planFor, skip, type ImportContext } from './import-context.ts';
import { remember } from './import-records.ts';
import type { SourceComponent, SourceGroup, SourcePage, SourceSubscriber } from './statuspage-types.ts';

/** The source's name becomes the page's only while Candor's is still the one it started with. */
export async function writePageName(ctx: ImportContext, page: SourcePage): Promise<void> {
  ctx.summary.page = { name: page.name, url: page.url, nameApplied: false };
  const name = page.name.trim().slice(0, 80);
  if (!name) return;
  const current = await loadSiteSettings(ctx.db);
  if (current.name !== SITE_DEFAULTS.name || current.name === name) return;
  ctx.summary.page.nameApplied = true;
  if (ctx.dryRun) return;
  await ctx.db.transaction((tx) => writeSiteSettingsIn(tx, current, { ...current, name }, 'settings.import', ctx.now));
}

export async function writeGroups(ctx: ImportContext, groups: SourceGroup[]): Promise<void> {
  for (const g of groups) {
    const values = { name: g.name, description: g.description, position: g.position };
    const print = fingerprint(values);
    const plan = planFor(ctx, 'group', g.sourceId, print);
    count(ctx, 'group', plan, g.sourceId, g.name);
    ctx.tick();
    if (plan.action === 'unchanged' || plan.action === 'update') ctx.groupIds.set(g.sourceId, plan.localId);
    if (ctx.dryRun || plan.action === 'unchanged' || plan.action === 'gone') continue;
    await ctx.db.transaction(async (tx) => {
      let id: number;
      if (plan.action === 'create') {
        [{ id }] = await tx
          .insert(componentGroups)
          .values({ ...values, createdAt: g.createdAt ?? ctx.now })
          .returning({ id: componentGroups.id });
      } else {
        id = plan.localId;
        await tx.update(componentGroups).set(values).where(eq(componentGroups.id, id));
      }
      await remember(tx, ctx.source, 'group', g.sourceId, id, print, ctx.now);
      await recordChange(tx, 'structure', `group:${id}`);
      ctx.groupIds.set(g.sourceId, id);
    });
  }
}

export async function writeComponents(ctx: ImportContext, list: SourceComponent[]): Promise<void> {
  for (const c of list) {
    const groupId = c.groupSourceId === null ? null : (ctx.groupIds.get(c.groupSourceId) ?? null);
    const values = {
      name: c.name,
      description: c.description,
      position: c.position,
      groupId,
      showUptime: c.showcase,
      status: c.status,
    };
    // The group by its source id: the local id differs between a dry run and a real one.
    const print = fingerprint({ ...values, groupId: c.groupSourceId });
    const plan = planFor(ctx, 'component', c.sourceId, print);
    count(ctx, 'component', plan, c.sourceId, c.name);
    ctx.tick();
    if (plan.action === 'unchanged' || plan.action === 'update') ctx.componentIds.set(c.sourceId, plan.localId);
    // A dry run stands a placeholder for what it would create, so what refers to it plans alike.
    if (ctx.dryRun && plan.action === 'create') ctx.componentIds.set(c.sourceId, -ctx.componentIds.size - 1);
    if (ctx.dryRun || plan.action === 'unchanged' || plan.action === 'gone') continue;
    await ctx.db.transaction(async (tx) => {
      let id: number;
      if (plan.action === 'create') {
        const createdAt = c.createdAt ?? ctx.now;
        [{ id }] = await tx
          .insert(components)
          .values({ ...values, createdAt, updatedAt: ctx.now })
          .returning({ id: components.id });
        // The component exists from its creation at the source; the history derived from the
        // imported updates is written once every incident is in (import-history.ts).
        await tx
          .insert(componentStatusChanges)
          .values({ componentId: id, status: 'operational', changedAt: createdAt });
        await foldUptimeChanges(tx, id, createdAt);
      } else {
        id = plan.localId;
        await tx
          .update(components)
          .set({ ...values, updatedAt: ctx.now })
          .where(eq(components.id, id));
      }
      await remember(tx, ctx.source, 'component', c.sourceId, id, print, ctx.now);
      await recordChange(tx, 'structure', `component:${id}`);
      ctx.componentIds.set(c.sourceId, id);
    });
  }
}

/**
 * Confirmed subscribers arrive confirmed, with their component choices; nobody is written to.
 * One already subscribed in Candor (or who unsubscribed from it) is left as they are.
 */
export async function writeSubscribers(ctx: ImportContext, list: SourceSubscriber[]): Promise<void> {
  for (const s of list) {
    ctx.tick();
    const name = `${s.kind} ${s.address}`;
    let ids: number[] = [];
    if (s.componentSourceIds) {
      const unknown = s.componentSourceIds.filter((c) => !ctx.componentIds.has(c));
      ids = [...new Set(s.componentSourceIds.flatMap((c) => ctx.componentIds.get(c) ?? []))];
      if (ids.length === 0) {
        skip(ctx, 'subscriber', s.sourceId, name, 'none of the components they chose was imported');
        continue;
      }
      if (unknown.length)
        ctx.summary.warnings.push({
          kind: 'subscriber',
          sourceId: s.sourceId,
          name,
          message: `chose components that were not imported (${unknown.join(', ')}); those are left out of their choice`,
        });
    }
    // A subscriber is written once: later changes are theirs to make, in Candor.
    const plan = planFor(ctx, 'subscriber', s.sourceId, 'v1');
    if (plan.action !== 'create') {
      count(ctx, 'subscriber', plan.action === 'update' ? { ...plan, action: 'unchanged' } : plan, s.sourceId, name);
      continue;
    }
    const [present] = await ctx.db
      .select({ id: subscribers.id, state: subscribers.state })
      .from(subscribers)
      .where(and(eq(subscribers.kind, s.kind), eq(subscribers.address, s.address)));
    if (present) {
      skip(
        ctx,
        'subscriber',
        s.sourceId,
        name,
        present.state === 'unsubscribed'
          ? `unsubscribed from Candor (subscriber ${present.id}); not subscribed again`
          : `already subscribed in Candor (subscriber ${present.id})`,
      );
      continue;
    }
    count(ctx, 'subscriber', plan, s.sourceId, name);
    if (ctx.dryRun) continue;
    await ctx.db.transaction(async (tx) => {
      const since = s.createdAt ?? ctx.now;
      const [row] = await tx
        .insert(subscribers)
        .values({
          kind: s.kind,
          address: s.address,
          state: 'active',
          allComponents: s.componentSourceIds === null,
          manageToken: generateToken(),
          secret: s.kind === 'webhook' ? webhookSecret() : null,
          source: 'import',
          createdAt: since,
          confirmedAt: since,
        })
        .returning({ id: subscribers.id });
      await setComponents(tx, row.id, ids);
      await remember(tx, ctx.source, 'subscriber', s.sourceId, row.id, 'v1', ctx.now);
    });
  }
}
