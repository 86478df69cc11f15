// Candor's database schema, one module per area. Every time is stored as integer milliseconds
// since the epoch (UTC). drizzle-kit reads this folder (drizzle.config.ts).
export * from './components.ts';
export * from './component-history.ts';
export * from './incidents.ts';
export * from './auth.ts';
export * from './changes.ts';
export * from './subscribers.ts';
export * from './outbox.ts';
export * from './rca.ts';
export * from './maintenance.ts';
export * from './audit.ts';
export * from './brand.ts';
export * from './imports.ts';
export * from './audiences.ts';
export * from './viewer-links.ts';
