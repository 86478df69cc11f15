// Column defaults every table shares. Every time is stored as integer milliseconds since the epoch
// (UTC); enumerated values come from the vocabulary modules in src/domain.
import { sql } from 'drizzle-orm';

/** Now, in milliseconds, computed by the database when a row is written without a time. */
export const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;
