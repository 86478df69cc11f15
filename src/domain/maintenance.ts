// Scheduled maintenance: announce a window, start and complete it (by hand or on the clock),
// post updates, and keep subscribers of the affected components told through the outbox. The
// parts live in maintenance-*.ts; this module gathers them so callers import one name.
export * from './maintenance-schemas.ts';
export * from './maintenance-reads.ts';
export * from './maintenance-writes.ts';
export * from './maintenance-clock.ts';
