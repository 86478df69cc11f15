// Helpers shared by the /api/v1 routes: JSON bodies in, JSON answers and readable errors out.
import { InputError } from '../domain/errors.ts';
import { routeId } from './route-id.ts';
import { can, type Permission } from '../domain/auth/roles.ts';
import type { SessionUser } from '../domain/auth/sessions.ts';

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

export function apiError(status: number, code: string, message: string, details?: string[]): Response {
  return json({ error: { code, message, ...(details?.length ? { details } : {}) } }, status);
}

const CODES: Record<number, string> = { 400: 'invalid_request', 404: 'not_found', 409: 'conflict' };

/** Runs a route body; input errors become 4xx answers, anything else stays a real failure. */
export async function handleApi(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InputError) return apiError(error.status, CODES[error.status] ?? 'invalid_request', error.message, error.details);
    throw error;
  }
}

export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (!text.trim()) throw new InputError('The request body is empty; send a JSON object.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function parseId(value: string | undefined, what: string): number {
  const id = routeId(value);
  if (id === null) throw new InputError(`${what} id must be a positive whole number, got "${value}".`);
  return id;
}

/** Returns a 403 answer when the token's user lacks the permission, else null. */
export function forbidden(user: SessionUser | null, permission: Permission): Response | null {
  if (user && can(user.role, permission)) return null;
  return apiError(403, 'forbidden', `This token's user (role ${user?.role ?? 'none'}) may not do this; it needs the ${permission} permission.`);
}
