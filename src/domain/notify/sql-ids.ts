// A list of ids as SQL (`in (1, 2, 3)`), each one a bound parameter.
import { sql, type SQL } from 'drizzle-orm';

export const idList = (ids: number[]): SQL =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
