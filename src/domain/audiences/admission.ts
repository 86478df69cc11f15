// Who a request is, for the public side (issue 20): the audiences its viewer session still admits
// to, plus those whose IP allowlist holds the client's address. It costs one small query on every
// request that reaches the pages (the allowlists; without audiences an empty table answers at once)
// and one more when a viewer cookie is sent.
import { BlockList, isIP } from 'node:net';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { storedIpAllowlist } from './audience-reads.ts';
import { validateViewerSession } from './viewer-sessions.ts';
import { PUBLIC_VIEWER, type AccessMethod, type Viewer } from './viewer.ts';

/**
 * Adds an allowlist as stored (a JSON array of CIDRs, read by audience-reads.ts, which drops any
 * entry no longer valid) to `list`; whether it held any range.
 */
export function addAllowlist(list: BlockList, json: string): boolean {
  const ranges = storedIpAllowlist(json);
  for (const cidr of ranges) {
    const [address, prefix] = cidr.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return ranges.length > 0;
}

/** One allowlist as stored made into a BlockList. */
function compile(json: string): BlockList {
  const list = new BlockList();
  addAllowlist(list, json);
  return list;
}

// Compiled lists by their text: an unchanged allowlist is not parsed again on the next request.
const compiled = new Map<string, BlockList>();

function allowlist(json: string): BlockList {
  let list = compiled.get(json);
  if (!list) {
    if (compiled.size > 1000) compiled.clear();
    compiled.set(json, (list = compile(json)));
  }
  return list;
}

/** Whether `ip` (as src/web/client-ip.ts resolves it) is in the allowlist written as `json`. */
export function ipAllowed(json: string, ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return allowlist(json).check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The audiences whose IP allowlist holds `ip`, ascending. */
export async function audiencesAdmittingIp(db: DbOrTx, ip: string): Promise<number[]> {
  const rows = await db.all<{ id: number; ip_allowlist: string }>(
    sql`select id, ip_allowlist from audiences where ip_allowlist <> '[]' order by id`,
  );
  return rows.filter((r) => ipAllowed(r.ip_allowlist, ip)).map((r) => Number(r.id));
}

export interface Admission {
  viewer: Viewer;
  /** A viewer cookie was sent but admits nothing (expired, ended, unknown): the caller clears it. */
  deadCookie: boolean;
}

/**
 * The viewer a request is: its session's live grants and its address's allowlists together. A
 * grant from a sign-in names its method; an audience admitted only by address says 'ip'.
 */
export async function admit(
  db: DbOrTx,
  request: { token: string | null; ip: string },
  now = Date.now(),
): Promise<Admission> {
  const [session, byIp] = await Promise.all([
    request.token ? validateViewerSession(db, request.token, now) : Promise.resolve(null),
    audiencesAdmittingIp(db, request.ip),
  ]);
  const methods = new Map<number, AccessMethod>();
  for (const id of byIp) methods.set(id, 'ip');
  for (const grant of session?.grants ?? []) methods.set(grant.audienceId, grant.method);
  const deadCookie = request.token !== null && session === null;
  if (methods.size === 0) return { viewer: PUBLIC_VIEWER, deadCookie };
  const audienceIds = [...methods.keys()].sort((a, b) => a - b);
  return {
    viewer: {
      audienceIds,
      sessionId: session?.id ?? null,
      email: session?.email ?? null,
      methods: audienceIds.map((id) => methods.get(id)!),
    },
    deadCookie,
  };
}

/** The names of audiences `ids`, in the order given, null for one gone (the viewer's own "signed in" note). */
export async function audienceNames(db: DbOrTx, ids: readonly number[]): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  const rows = await db.all<{ id: number; name: string }>(
    sql`select id, name from audiences where id in (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  const byId = new Map(rows.map((r) => [Number(r.id), r.name]));
  return ids.map((id) => byId.get(id) ?? null);
}
