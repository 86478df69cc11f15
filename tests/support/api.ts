// Creating a user and token through the real CLI, and calling the API like an automation would.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export function createUserWithToken(
  dbFileOrUrl: string,
  role = 'support',
  email = `${role}-${Date.now()}@example.com`,
  name = `Test ${role}`,
  scope = 'admin',
): { token: string; password: string; email: string } {
  const out = execFileSync(
    process.execPath,
    [
      'src/cli/candor.ts',
      'user',
      'create',
      '--email',
      email,
      '--name',
      name,
      '--role',
      role,
      '--token',
      'tests',
      '--scope',
      scope,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: /^\w+:\/\//.test(dbFileOrUrl) ? dbFileOrUrl : `file:${dbFileOrUrl}` },
      encoding: 'utf8',
    },
  );
  return { token: /token: (\S+)/.exec(out)![1], password: /password: (\S+)/.exec(out)![1], email };
}

export async function api(base: string, token: string | null, method: string, path: string, body?: unknown) {
  const response = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Opens an incident through API v1 as `token` (published, no components unless named); fails the test otherwise. */
export async function openIncidentAs(
  base: string,
  token: string,
  fields: { title: string; impact?: string; message?: string; components?: Record<string, string> },
): Promise<number> {
  const opened = await api(base, token, 'POST', '/api/v1/incidents', {
    impact: 'minor',
    message: 'We are looking into it.',
    components: {},
    ...fields,
  });
  if (opened.status !== 201)
    throw new Error(`Opening "${fields.title}" answered ${opened.status}: ${JSON.stringify(opened.body)}`);
  return opened.body.incident.id as number;
}
