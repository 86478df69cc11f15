// Writes incidents and scheduled maintenance with every update, at the times the source gives,
// their texts sanitised, the components each update touched. Straight into the tables, not
// through the admin's paths: those notify subscribers and set component states as of now, and an
// import must do neither. Each item is one transaction with its change event and its records.
import { eq } from 'drizzle-orm';
import {
  incidents,
  incidentUpdateComponents,
  incidentUpdates,
  maintenanceComponents,
  maintenances,
  maintenanceUpdateComponents,
  maintenanceUpdates,
} from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import { recordChange } from '../changes.ts';
import { sanitizeImportedText } from '../markdown.ts';
import { count, fingerprint, planFor, rememberedId, type ImportContext } from './import-context.ts';
import { remember } from './import-records.ts';
import type { SourceAffected, SourceIncident, SourceMaintenance } from './statuspage-types.ts';

/** The affected components Candor has, each once (the last word on a component wins). */
function localAffected(ctx: ImportContext, affected: SourceAffected[], note: (missing: string) => void) {
  const byId = new Map<
    number,
    { componentId: number; oldStatus: SourceAffected['oldStatus']; newStatus: SourceAffected['newStatus'] }
  >();
  for (const a of affected) {
    const id = ctx.componentIds.get(a.componentSourceId);
    if (id === undefined) {
      note(a.componentSourceId);
      continue;
    }
    byId.set(id, { componentId: id, oldStatus: a.oldStatus, newStatus: a.newStatus });
  }
  return [...byId.values()];
}

function missingNoter(ctx: ImportContext, kind: 'incident' | 'maintenance', sourceId: string, name: string) {
  const missing = new Set<string>();
  return {
    note: (id: string) => missing.add(id),
    flush: () => {
      if (missing.size)
        ctx.summary.warnings.push({
          kind,
          sourceId,
          name,
          message: `its updates name components that were not imported (${[...missing].join(', ')}); those changes are left out`,
        });
    },
  };
}

export async function writeIncidents(ctx: ImportContext, list: SourceIncident[]): Promise<void> {
  for (const incident of list) {
    ctx.tick();
    const print = fingerprint(incident);
    const plan = planFor(ctx, 'incident', incident.sourceId, print);
    count(ctx, 'incident', plan, incident.sourceId, incident.title);
    if (ctx.dryRun || plan.action === 'unchanged' || plan.action === 'gone') continue;
    const missing = missingNoter(ctx, 'incident', incident.sourceId, incident.title);
    const values = {
      title: incident.title,
      impact: incident.impact,
      status: incident.status,
      startedAt: incident.startedAt,
      resolvedAt: incident.resolvedAt,
      createdAt: incident.createdAt,
      updatedAt: incident.updatedAt,
    };
    await ctx.db.transaction(async (tx) => {
      let id: number;
      if (plan.action === 'create') {
        [{ id }] = await tx
          .insert(incidents)
          .values({ ...values, published: true, createdBy: null })
          .returning({ id: incidents.id });
      } else {
        id = plan.localId;
        await tx.update(incidents).set(values).where(eq(incidents.id, id));
      }
      for (const u of incident.updates) {
        const update = {
          status: u.status,
          body: sanitizeImportedText(u.body),
          createdAt: u.createdAt,
          displayAt: u.displayAt,
        };
        const known = rememberedId(ctx, 'incident_update', u.sourceId);
        let updateId: number;
        if (known === null) {
          [{ id: updateId }] = await tx
            .insert(incidentUpdates)
            .values({ ...update, incidentId: id, authorId: null, authorName: '' })
            .returning({ id: incidentUpdates.id });
        } else {
          updateId = known;
          await tx.update(incidentUpdates).set(update).where(eq(incidentUpdates.id, updateId));
          await tx.delete(incidentUpdateComponents).where(eq(incidentUpdateComponents.updateId, updateId));
        }
        const affected = localAffected(ctx, u.affected, missing.note);
        if (affected.length)
          await tx.insert(incidentUpdateComponents).values(affected.map((a) => ({ ...a, updateId })));
        await remember(tx, ctx.source, 'incident_update', u.sourceId, updateId, '', ctx.now);
      }
      await remember(tx, ctx.source, 'incident', incident.sourceId, id, print, ctx.now);
      await recordChange(tx, 'incident', `incident:${id}`);
    });
    missing.flush();
  }
}

async function setMaintenanceComponents(tx: DbOrTx, maintenanceId: number, ids: number[]): Promise<void> {
  await tx.delete(maintenanceComponents).where(eq(maintenanceComponents.maintenanceId, maintenanceId));
  if (ids.length)
    await tx.insert(maintenanceComponents).values(ids.map((componentId) => ({ maintenanceId, componentId })));
}

export async function writeMaintenances(ctx: ImportContext, list: SourceMaintenance[]): Promise<void> {
  for (const m of list) {
    ctx.tick();
    const print = fingerprint(m);
    const plan = planFor(ctx, 'maintenance', m.sourceId, print);
    count(ctx, 'maintenance', plan, m.sourceId, m.title);
    if (ctx.dryRun || plan.action === 'unchanged' || plan.action === 'gone') continue;
    const missing = missingNoter(ctx, 'maintenance', m.sourceId, m.title);
    const componentIds = [
      ...new Set(m.componentSourceIds.flatMap((c) => ctx.componentIds.get(c) ?? (missing.note(c), []))),
    ];
    const values = {
      title: m.title,
      // The announcement is the first update, as on Statuspage.
      body: sanitizeImportedText(m.updates[0]?.body ?? ''),
      status: m.status,
      scheduledFor: m.scheduledFor,
      scheduledUntil: m.scheduledUntil,
      autoStart: m.autoStart,
      autoComplete: m.autoComplete,
      startedAt: m.startedAt,
      completedAt: m.completedAt,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
    await ctx.db.transaction(async (tx) => {
      let id: number;
      if (plan.action === 'create') {
        // No reminder: an imported window was announced at the source, Candor tells nobody.
        [{ id }] = await tx
          .insert(maintenances)
          .values({ ...values, remindAt: null, remindedAt: null, createdBy: null })
          .returning({ id: maintenances.id });
      } else {
        id = plan.localId;
        await tx.update(maintenances).set(values).where(eq(maintenances.id, id));
      }
      await setMaintenanceComponents(tx, id, componentIds);
      for (const u of m.updates) {
        const update = { status: u.status, body: sanitizeImportedText(u.body), createdAt: u.createdAt };
        const known = rememberedId(ctx, 'maintenance_update', u.sourceId);
        let updateId: number;
        if (known === null) {
          [{ id: updateId }] = await tx
            .insert(maintenanceUpdates)
            .values({ ...update, maintenanceId: id, authorId: null, authorName: '' })
            .returning({ id: maintenanceUpdates.id });
        } else {
          updateId = known;
          await tx.update(maintenanceUpdates).set(update).where(eq(maintenanceUpdates.id, updateId));
          await tx.delete(maintenanceUpdateComponents).where(eq(maintenanceUpdateComponents.updateId, updateId));
        }
        const affected = localAffected(ctx, u.affected, missing.note);
        if (affected.length)
          await tx.insert(maintenanceUpdateComponents).values(affected.map((a) => ({ ...a, updateId })));
        await remember(tx, ctx.source, 'maintenance_update', u.sourceId, updateId, '', ctx.now);
      }
      await remember(tx, ctx.source, 'maintenance', m.sourceId, id, print, ctx.now);
      await recordChange(tx, 'maintenance', `maintenance:${id}`);
    });
    missing.flush();
  }
}
