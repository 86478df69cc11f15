// The public condition on incidents, apart from incidents.ts so the audience rule
// (audiences/visibility.ts) and the notifications it filters can use it without an import cycle.
import { eq } from 'drizzle-orm';
import { incidents } from '../db/schema/index.ts';

/** The one rule for which incidents the public may see: every public query uses it. */
export const publicIncident = eq(incidents.published, true);
