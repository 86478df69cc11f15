// The durable outbox. Notifications and their deliveries are written in the transaction of the
// change they announce; workers then claim provider-sized batches under a lease, so any number
// of instances can send without two of them sending the same batch, and a batch abandoned by a
// crashed worker is taken over — with its original idempotency key — once its lease runs out.
// The parts live in outbox-*.ts; this module gathers them so callers import one name.
export * from './outbox-enqueue.ts';
export * from './outbox-claims.ts';
export * from './outbox-admin.ts';
