// Internal post-incident reviews: what the admin records (RCA-GUIDE.md §2) and the view every
// review page, the reduction, the lint and the workflow work from. The parts live in review-*.ts;
// this module gathers them so callers import one name.
export * from './review-types.ts';
export * from './review-schemas.ts';
export { getReviewRow, logActivity } from './review-activity.ts';
export * from './review-writes.ts';
export * from './review-reads.ts';
