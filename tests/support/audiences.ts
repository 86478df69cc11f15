// Audiences for tests of the viewer's way in, written straight into a test server's database (as
// the admin would make them), and a browser-like viewer: a cookie jar over fetch, sending its own
// Origin on writes as a browser does on a same-site form.
import { createClient } from '@libsql/client';
import { hashPassword } from '../../src/domain/auth/passwords.ts';
import { nextIp } from './subscribers.ts';

export interface AudienceFixture {
  name: string;
  password?: string;
  members?: { kind: 'email' | 'domain'; value: string }[];
  ipAllowlist?: string[];
  ssoRules?: { claim: string; value: string }[];
}

/** Runs statements on a test server's database, waiting for its write lock as it waits for ours. */
export async function sqlOn(dbFile: string, query: string, args: (string | number | null)[] = []) {
  const client = createClient({ url: `file:${dbFile}`, timeout: 10_000 });
  try {
    return (await client.execute({ sql: query, args })).rows;
  } finally {
    client.close();
  }
}

/** Creates an audience with its members; returns its id. */
export async function createAudience(dbFile: string, fixture: AudienceFixture): Promise<number> {
  const now = Date.now();
  const [row] = await sqlOn(
    dbFile,
    `insert into audiences (name, password_hash, ip_allowlist, sso_rules, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?) returning id`,
    [
      fixture.name,
      fixture.password ? await hashPassword(fixture.password) : null,
      JSON.stringify(fixture.ipAllowlist ?? []),
      JSON.stringify(fixture.ssoRules ?? []),
      now,
      now,
    ],
  );
  const id = Number(row.id);
  for (const member of fixture.members ?? []) {
    await sqlOn(dbFile, `insert into audience_members (audience_id, kind, value, created_at) values (?, ?, ?, ?)`, [
      id,
      member.kind,
      member.value,
      now,
    ]);
  }
  return id;
}

/** As management does when an audience's password or SSO rules change. */
export async function bumpCredentialVersion(dbFile: string, audienceId: number): Promise<void> {
  await sqlOn(dbFile, `update audiences set credential_version = credential_version + 1 where id = ?`, [audienceId]);
}

export interface ViewerAnswer {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

/** A browser for the public side: keeps the cookies it is given and sends them back. */
export class ViewerBrowser {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  /** The client address a trusted proxy reports (X-Forwarded-For), one per browser. */
  readonly ip: string;

  constructor(base: string, ip = nextIp()) {
    this.base = base;
    this.ip = ip;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async #send(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<ViewerAnswer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(path.startsWith('http') ? path : this.base + path, {
      ...init,
      redirect: 'manual',
      headers: { 'x-forwarded-for': this.ip, ...(cookie ? { cookie } : {}), ...init.headers },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = value === '' || attributes.some((a) => /^\s*(max-age=0|expires=Thu, 01 Jan 1970.*)\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get('location'),
    };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<ViewerAnswer> {
    return this.#send(path, { method: 'GET', headers });
  }

  /** A same-site form post (the browser names our origin). */
  post(path: string, fields: [string, string][], headers: Record<string, string> = {}): Promise<ViewerAnswer> {
    return this.#send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.base, ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Who the server takes this browser for (/access/me). */
  async me(): Promise<{
    signedIn: boolean;
    public: boolean;
    email: string | null;
    audiences: { id: number; name: string | null; method: string }[];
  }> {
    const answer = await this.get('/access/me');
    if (answer.status !== 200) throw new Error(`/access/me answered ${answer.status}: ${answer.text}`);
    return JSON.parse(answer.text);
  }
}
