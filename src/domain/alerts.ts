// Alerts from monitoring become component states and incidents, so support staff only have to
// add the words. Prometheus Alertmanager's webhook (version 4) and a generic JSON webhook share
// one path: route each alert to a component, take the worst firing state per component, and open,
// update or resolve the incident of the alert group. Repeated deliveries change nothing.
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { alertGroups, components, incidents } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { loadAlertConfig, type AlertConfig } from './alert-routes.ts';
import { componentStateSchema } from './components.ts';
import { parseInput } from './errors.ts';
import { canonicalId } from './input.ts';
import { affectedComponentsOf, createIncidentIn, getIncident, postIncidentUpdateIn, type Author } from './incidents.ts';
import { COMPONENT_STATE_LABELS, worstComponentState, type ComponentState, type IncidentImpact } from './status.ts';

export const ALERT_SOURCES = ['alertmanager', 'generic'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

const AUTHORS: Record<AlertSource, Author> = {
  alertmanager: { id: null, name: 'Alertmanager' },
  generic: { id: null, name: 'Monitoring' },
};

export { ALERT_CONFIG, type AlertConfig } from './alert-routes.ts';

/** One alert, whatever sent it. */
export interface NormalisedAlert {
  firing: boolean;
  labels: Record<string, string>;
  summary: string;
  description: string;
  /** A state named by the sender; otherwise the severity label decides. */
  state?: ComponentState;
  /** A component named by the sender; otherwise the routes decide. */
  component?: string | number;
}

export interface AlertBatch {
  source: AlertSource;
  groupKey: string;
  title: string;
  alerts: NormalisedAlert[];
}

// Generous limits (Alertmanager sets none), so that one malformed alert cannot fill the database.
const labels = z.record(z.string().max(200), z.string().max(1000, 'must be at most 1,000 characters')).default({});
const annotations = z
  .record(z.string().max(200), z.string().max(20_000, 'must be at most 20,000 characters'))
  .default({});

// Prometheus Alertmanager's webhook payload, version 4 (only the fields Candor reads are checked).
export const alertmanagerSchema = z.object({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  groupKey: z.string({ error: 'is required' }).min(1, 'is required').max(2000, 'must be at most 2,000 characters'),
  status: z.enum(['firing', 'resolved']),
  commonLabels: labels,
  commonAnnotations: annotations,
  alerts: z
    .array(z.object({ status: z.enum(['firing', 'resolved']), labels, annotations }))
    .min(1, 'must hold at least one alert'),
});

export const genericAlertSchema = z.object({
  key: z.string({ error: 'is required: the same key for every message about one problem' }).trim().min(1).max(200),
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }),
  component: z.union([z.int().min(1), z.string().trim().min(1).max(200)], {
    error: 'is required: a component id or name',
  }),
  state: componentStateSchema.optional(),
  title: z.string().trim().max(200).default(''),
  message: z.string().trim().max(5000).default(''),
});

export function fromAlertmanager(input: unknown): AlertBatch {
  const p = parseInput(alertmanagerSchema, input);
  return {
    source: 'alertmanager',
    groupKey: p.groupKey,
    title: p.commonAnnotations.summary || p.commonLabels.alertname || 'Monitoring alert',
    alerts: p.alerts.map((a) => ({
      firing: a.status === 'firing',
      labels: { ...p.commonLabels, ...a.labels },
      summary: a.annotations.summary ?? a.labels.alertname ?? '',
      description: a.annotations.description ?? '',
      component: a.labels.candor_component,
    })),
  };
}

export function fromGeneric(input: unknown): AlertBatch {
  const p = parseInput(genericAlertSchema, input);
  return {
    source: 'generic',
    groupKey: p.key,
    title: p.title || `Problem with ${p.component}`,
    alerts: [
      {
        firing: p.status === 'firing',
        labels: {},
        summary: p.title,
        description: p.message,
        state: p.state,
        component: p.component,
      },
    ],
  };
}

const IMPACT_FOR_STATE: Record<ComponentState, IncidentImpact> = {
  operational: 'none',
  under_maintenance: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

export interface AlertOutcome {
  action: 'created' | 'updated' | 'resolved' | 'unchanged' | 'ignored';
  incidentId: number | null;
  /** Alerts no route matched, in words, so the sender's operator can fix the mapping. */
  unrouted: string[];
}

function route(alert: NormalisedAlert, config: AlertConfig): string | number | null {
  if (alert.component !== undefined) return alert.component;
  const hit = config.routes.find((r) => Object.entries(r.match).every(([k, v]) => alert.labels[k] === v));
  return hit ? hit.component : null;
}

function stateOf(alert: NormalisedAlert, config: AlertConfig): ComponentState {
  if (alert.state) return alert.state;
  const value = alert.labels[config.severity.label];
  return (value && config.severity.states[value]) || config.severity.default;
}

async function resolveComponents(tx: DbOrTx, refs: (string | number)[]): Promise<Map<string | number, number>> {
  const rows = await tx.select({ id: components.id, name: components.name }).from(components);
  const found = new Map<string | number, number>();
  for (const ref of refs) {
    // An id written canonically ("3") is an id; anything else ("03", "API") is a name.
    const id = canonicalId(ref);
    const row = rows.find((r) =>
      id !== null ? r.id === id : typeof ref === 'string' && r.name.toLowerCase() === ref.toLowerCase(),
    );
    if (row) found.set(ref, row.id);
  }
  return found;
}

const describe = (alerts: NormalisedAlert[]) =>
  alerts.map((a) => `- ${[a.summary, a.description].filter(Boolean).join(': ') || 'Alert'}`).join('\n');

/** Applies one delivery. Everything happens in one transaction; a repeat of the same delivery changes nothing. */
export async function applyAlerts(
  db: Db,
  batch: AlertBatch,
  given?: AlertConfig,
  now = Date.now(),
): Promise<AlertOutcome> {
  return db.transaction(async (tx) => {
    const config = given ?? (await loadAlertConfig(tx));
    const refs = batch.alerts.map((a) => route(a, config));
    const ids = await resolveComponents(
      tx,
      refs.filter((r): r is string | number => r !== null),
    );
    const unrouted: string[] = [];
    const firing = new Map<number, ComponentState>();
    const quiet = new Set<number>();
    batch.alerts.forEach((alert, i) => {
      const ref = refs[i];
      const id = ref === null ? undefined : ids.get(ref);
      if (id === undefined) {
        unrouted.push(
          `${alert.summary || JSON.stringify(alert.labels)}: ${ref === null ? 'no route matches its labels' : `no component "${ref}"`}`,
        );
        return;
      }
      if (alert.firing)
        firing.set(id, worstComponentState([stateOf(alert, config), ...(firing.has(id) ? [firing.get(id)!] : [])]));
      else quiet.add(id);
    });
    for (const id of firing.keys()) quiet.delete(id);

    const [group] = await tx
      .select()
      .from(alertGroups)
      .where(and(eq(alertGroups.source, batch.source), eq(alertGroups.groupKey, batch.groupKey)));
    const own = group ? (await tx.select().from(incidents).where(eq(incidents.id, group.incidentId)))[0] : undefined;
    let incidentId = own && own.resolvedAt === null ? own.id : null;
    // A new group firing on a component another alert incident already covers adds to that incident.
    if (incidentId === null && firing.size > 0)
      incidentId = await openAlertIncidentFor(tx, [...firing.keys()], group?.id ?? null);
    const incident = incidentId === null ? null : await getIncident(tx, incidentId);
    const author = AUTHORS[batch.source];
    const saveGroup = async (id: number, isFiring: boolean) => {
      const values = {
        incidentId: id,
        firing: isFiring,
        components: JSON.stringify(Object.fromEntries(firing)),
        updatedAt: now,
      };
      if (group) await tx.update(alertGroups).set(values).where(eq(alertGroups.id, group.id));
      else
        await tx
          .insert(alertGroups)
          .values({ source: batch.source, groupKey: batch.groupKey, createdAt: now, ...values });
    };

    if (firing.size === 0) {
      if (!incident || !group)
        return { action: unrouted.length ? 'ignored' : 'unchanged', incidentId: own?.id ?? null, unrouted };
      await saveGroup(incident.id, false);
      // Other groups still firing on this incident keep it open and keep their components' states.
      const otherGroups = await firingGroupsOf(tx, incident.id, group.id);
      const stillFiring = otherGroups.length > 0;
      const others = firingStates(otherGroups);
      const mine = stillFiring
        ? Object.keys(groupStates(group.components)).map(Number)
        : affectedComponentsOf(incident).map((a) => a.componentId);
      const restore: Record<string, ComponentState> = {};
      for (const id of [...mine, ...quiet]) restore[String(id)] = others.get(id) ?? 'operational';
      if (stillFiring) {
        const current = new Map(affectedComponentsOf(incident).map((a) => [String(a.componentId), a.newStatus]));
        for (const [id, next] of Object.entries(restore))
          if ((current.get(id) ?? 'operational') === next) delete restore[id];
        if (Object.keys(restore).length === 0) return { action: 'unchanged', incidentId: incident.id, unrouted };
        await postIncidentUpdateIn(
          tx,
          incident.id,
          {
            status: incident.status,
            message: `Part of the problem is gone; we are still working on the rest.\n\n${describe(batch.alerts)}`,
            components: restore,
            notify: true,
          },
          author,
          now,
        );
        return { action: 'updated', incidentId: incident.id, unrouted };
      }
      // All clear: restore what the incident affected (and the quiet ones), then say so.
      await postIncidentUpdateIn(
        tx,
        incident.id,
        {
          status: config.resolvedStatus,
          message: `Our monitoring reports the problem is gone.\n\n${describe(batch.alerts)}`,
          components: restore,
          notify: true,
        },
        author,
        now,
      );
      return { action: 'resolved', incidentId: incident.id, unrouted };
    }

    // Each component shows the worst state any firing group of the incident reports for it.
    const others = incident
      ? firingStates(await firingGroupsOf(tx, incident.id, group?.id ?? null))
      : new Map<number, ComponentState>();
    const wanted: Record<string, ComponentState> = Object.fromEntries(
      [...firing].map(([id, state]) => [
        String(id),
        worstComponentState([state, ...(others.has(id) ? [others.get(id)!] : [])]),
      ]),
    );
    for (const id of quiet) wanted[String(id)] = others.get(id) ?? 'operational';
    const impact = IMPACT_FOR_STATE[worstComponentState(firing.values())];
    if (!incident) {
      const created = await createIncidentIn(
        tx,
        {
          title: batch.title.slice(0, 200),
          impact,
          status: 'investigating',
          message: `Our monitoring detected a problem. We are investigating.\n\n${describe(batch.alerts.filter((a) => a.firing))}`,
          components: wanted,
          notify: true,
          draft: !config.publish,
        },
        author,
        now,
      );
      await saveGroup(created.id, true);
      return { action: 'created', incidentId: created.id, unrouted };
    }
    await saveGroup(incident.id, true);
    // Only a change of state is news; Alertmanager re-sends the same group every repeat_interval.
    const current = new Map(affectedComponentsOf(incident).map((a) => [String(a.componentId), a.newStatus]));
    const changes = Object.entries(wanted).filter(([id, state]) => (current.get(id) ?? 'operational') !== state);
    if (changes.length === 0) return { action: 'unchanged', incidentId: incident.id, unrouted };
    const names = await tx.select({ id: components.id, name: components.name }).from(components);
    const words = changes
      .map(([id, state]) => `${names.find((n) => String(n.id) === id)?.name ?? id}: ${COMPONENT_STATE_LABELS[state]}`)
      .join(', ');
    await postIncidentUpdateIn(
      tx,
      incident.id,
      {
        status: incident.status,
        message: `Our monitoring reports a change: ${words}.\n\n${describe(batch.alerts.filter((a) => a.firing))}`,
        components: Object.fromEntries(changes),
        notify: true,
        impact: worse(incident.impact, impact),
      },
      author,
      now,
    );
    return { action: 'updated', incidentId: incident.id, unrouted };
  });
}

const groupStates = (json: string) => JSON.parse(json) as Record<string, ComponentState>;

/** An unresolved incident opened by alerts whose firing groups cover one of `componentIds`. */
async function openAlertIncidentFor(
  tx: DbOrTx,
  componentIds: number[],
  exceptGroup: number | null,
): Promise<number | null> {
  const rows = await tx
    .select({ id: alertGroups.id, incidentId: alertGroups.incidentId, components: alertGroups.components })
    .from(alertGroups)
    .innerJoin(incidents, eq(incidents.id, alertGroups.incidentId))
    .where(and(isNull(incidents.resolvedAt), eq(alertGroups.firing, true)))
    .orderBy(desc(alertGroups.updatedAt));
  const hit = rows.find(
    (r) => r.id !== exceptGroup && Object.keys(groupStates(r.components)).some((c) => componentIds.includes(Number(c))),
  );
  return hit?.incidentId ?? null;
}

async function firingGroupsOf(tx: DbOrTx, incidentId: number, exceptGroup: number | null) {
  const rows = await tx
    .select({ id: alertGroups.id, components: alertGroups.components })
    .from(alertGroups)
    .where(and(eq(alertGroups.incidentId, incidentId), eq(alertGroups.firing, true)));
  return rows.filter((r) => r.id !== exceptGroup);
}

/** The worst state each component is in according to these firing groups. */
function firingStates(groups: { components: string }[]): Map<number, ComponentState> {
  const states = new Map<number, ComponentState>();
  for (const g of groups) {
    for (const [id, state] of Object.entries(groupStates(g.components))) {
      const seen = states.get(Number(id));
      states.set(Number(id), worstComponentState([state, ...(seen ? [seen] : [])]));
    }
  }
  return states;
}

const IMPACT_ORDER: IncidentImpact[] = ['none', 'minor', 'major', 'critical'];
const worse = (a: IncidentImpact, b: IncidentImpact) => (IMPACT_ORDER.indexOf(a) >= IMPACT_ORDER.indexOf(b) ? a : b);
