// What a maintenance window is and accepts: its row and view types, the payload its messages are
// rendered from, and the zod schemas for scheduling and for updates.
import { z } from 'zod';
import { type maintenances } from '../db/schema/index.ts';
import { oneOf } from './errors.ts';
import { idSchema, numberInput, timeInput } from './input.ts';
import type { ComponentRecord } from './component-records.ts';
import type { AffectedComponent } from './incident-types.ts';
import { type PageSnapshot } from './notify/events.ts';
import { MAINTENANCE_STATUSES, type ComponentState, type MaintenanceStatus } from './status.ts';

/** A minute in milliseconds (reminders are set in minutes). */
export const MIN = 60_000;
/** Subscribers are reminded this long before a window opens, unless told otherwise. */
export const DEFAULT_REMINDER_MS = 60 * MIN;

export type MaintenanceRow = typeof maintenances.$inferSelect;

export interface MaintenanceView extends Omit<MaintenanceRow, 'status'> {
  status: MaintenanceStatus;
  components: { id: number; name: string; status: ComponentState }[];
  /** Newest first. */
  updates: {
    id: number;
    status: MaintenanceStatus;
    body: string;
    createdAt: number;
    authorName: string;
    /** What the update did to the components (starting and completing move them). */
    affected: AffectedComponent[];
    /** In a message's snapshot: whether subscribers were told of this update. */
    notified?: boolean;
  }[];
}

/** What a maintenance notification says, captured when it happens (see notify/events.ts). */
export interface MaintenancePayload {
  page: PageSnapshot;
  maintenance: Omit<MaintenanceView, 'createdBy'>;
  /** The page's records of the window's components and their groups (absent in older snapshots). */
  records?: ComponentRecord[];
  /** The update announced, or null for the announcement and the reminder. */
  updateId: number | null;
}

const timeSchema = timeInput();
const componentIdsSchema = z.array(idSchema('must be component ids')).default([]);

export const scheduleSchema = z
  .object({
    title: z.string({ error: 'is required' }).trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    body: z
      .string({ error: 'is required' })
      .trim()
      .min(1, 'is required: say what will happen and what customers will notice')
      .max(20_000),
    scheduledFor: timeSchema,
    scheduledUntil: timeSchema,
    componentIds: componentIdsSchema,
    autoStart: z.boolean().default(true),
    autoComplete: z.boolean().default(true),
    // Minutes before the start to remind subscribers; 0 for no reminder.
    remindMinutes: numberInput(
      z
        .number()
        .int('must be whole minutes')
        .min(0)
        .max(7 * 24 * 60),
      'must be whole minutes',
    ).default(DEFAULT_REMINDER_MS / MIN),
    notify: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .refine((v) => v.scheduledUntil > v.scheduledFor, {
    path: ['scheduledUntil'],
    message: 'must be after the start of the window',
  });

export const maintenanceUpdateSchema = z.object({
  status: oneOf(MAINTENANCE_STATUSES),
  message: z.string({ error: 'is required' }).trim().min(1, 'is required').max(20_000),
  notify: z.boolean({ error: 'must be true or false' }).default(true),
});
