// How alerts become component states and incidents: routes from labels to components, severity
// labels to states, and whether alert incidents open published. Edited in the admin and the API;
// content/alerts.json is the first start's configuration. Read from the database for every
// delivery, so an edit applies at once on every instance. Changes are validated whole (routes must
// name components that exist) and audited.
import { z } from 'zod';
import alertFile from '#content/alerts.json' with { type: 'json' };
import { components } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { componentStateSchema } from './components.ts';
import { InputError, parseInput } from './errors.ts';
import { canonicalId } from './input.ts';
import {
  readSettingsDocument,
  seedSettingsDocument,
  SETTINGS_KEYS,
  writeSettingsDocumentIn,
} from './settings-store.ts';
import type { ComponentState } from './status.ts';

export interface AlertRoute {
  match: Record<string, string>;
  component: string | number;
}

export interface AlertConfig {
  routes: AlertRoute[];
  severity: { label: string; states: Record<string, ComponentState>; default: ComponentState };
  resolvedStatus: 'monitoring' | 'resolved';
  /** false opens alert incidents as drafts for staff to publish (components are set either way). */
  publish: boolean;
}

const label = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, 'is required')
  .max(200, 'must be at most 200 characters');

export const alertConfigSchema = z
  .strictObject({
    routes: z
      .array(
        z.strictObject({
          match: z
            .record(label, z.string().max(1000, 'must be at most 1,000 characters'))
            .refine((m) => Object.keys(m).length > 0, 'must name at least one label, such as {"service": "api"}'),
          component: z.union([z.int().min(1), label], { error: 'is required: a component id or name' }),
        }),
      )
      .max(500, 'must have at most 500 routes'),
    severity: z.strictObject({
      label,
      states: z.record(label, componentStateSchema),
      default: componentStateSchema,
    }),
    resolvedStatus: z.enum(['monitoring', 'resolved'], { error: 'must be monitoring or resolved' }),
    publish: z.boolean({ error: 'must be true or false' }),
  })
  .meta({ id: 'AlertRoutes' });

const { $comment: _comment, ...fileConfig } = alertFile;

/** content/alerts.json: the first start's routes. */
export const ALERT_CONFIG: AlertConfig = alertConfigSchema.parse(fileConfig);

/** The routes alerts follow now. */
export async function loadAlertConfig(db: DbOrTx): Promise<AlertConfig> {
  const stored = alertConfigSchema.safeParse(await readSettingsDocument(db, SETTINGS_KEYS.alertRoutes));
  return stored.success ? stored.data : ALERT_CONFIG;
}

/** Every route's component must exist: a typo would otherwise drop alerts without a word. */
async function assertComponentsExist(tx: DbOrTx, config: AlertConfig): Promise<void> {
  const rows = await tx.select({ id: components.id, name: components.name }).from(components);
  const missing = config.routes
    .map((r, i) => ({ i, ref: r.component }))
    .filter(({ ref }) => {
      const id = canonicalId(ref);
      return !rows.some((row) =>
        id !== null ? row.id === id : typeof ref === 'string' && row.name.toLowerCase() === ref.toLowerCase(),
      );
    });
  if (missing.length) {
    const details = missing.map(
      ({ i, ref }) =>
        `routes.${i}.component: There is no component ${JSON.stringify(ref)} (give a name or an id from admin → Components)`,
    );
    throw new InputError(details.map((d) => d.slice(d.indexOf(': ') + 2)).join('; '), details);
  }
}

/** Replaces the whole configuration (what the admin's editor and PUT /settings/alert-routes send). */
export async function replaceAlertConfig(db: Db, input: unknown, now = Date.now()): Promise<AlertConfig> {
  const config = parseInput(alertConfigSchema, input);
  return db.transaction(async (tx) => {
    await assertComponentsExist(tx, config);
    const before = await loadAlertConfig(tx);
    await writeSettingsDocumentIn(tx, SETTINGS_KEYS.alertRoutes, config);
    await recordAudit(
      tx,
      {
        action: 'alert_routes.update',
        subjectType: 'settings',
        subjectId: SETTINGS_KEYS.alertRoutes,
        before,
        after: config,
      },
      now,
    );
    return config;
  });
}

/** content/alerts.json on the first start. */
export function seedAlertConfig(db: DbOrTx): Promise<void> {
  return seedSettingsDocument(db, SETTINGS_KEYS.alertRoutes, ALERT_CONFIG);
}
