// Helpers shared by the /api/v1 routes: JSON bodies in, JSON answers and readable errors out.
import { InputError } from '../domain/errors.ts';
import { routeId } from './route-id.ts';
import { tokenCan, type Permission, type TokenScope } from '../domain/auth/roles.ts';
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

export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

/** `?page=` (from 1) and `?per_page=` (1–100, default 25) of a list endpoint. */
export function pageRequest(url: URL): PageRequest {
  const page = Number(url.searchParams.get('page') ?? 1);
  const perPage = Number(url.searchParams.get('per_page') ?? 25);
  if (!Number.isInteger(page) || page < 1) throw new InputError('page: must be a whole number from 1');
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new InputError('per_page: must be a whole number from 1 to 100');
  return { page, perPage, offset: (page - 1) * perPage };
}

/** The pagination block every list answer carries. */
export function pagination(req: PageRequest, total: number) {
  return { page: req.page, per_page: req.perPage, total, next_page: req.offset + req.perPage < total ? req.page + 1 : null };
}

/** Returns a 403 answer when the token (its scope, capped by its user's role) lacks the permission, else null. */
export function forbidden(locals: { user: SessionUser | null; tokenScope: TokenScope | null }, permission: Permission): Response | null {
  const { user, tokenScope } = locals;
  if (user && tokenScope && tokenCan(user.role, tokenScope, permission)) return null;
  return apiError(
    403,
    'forbidden',
    `This token (scope ${tokenScope ?? 'none'}, user role ${user?.role ?? 'none'}) may not do this; it needs the ${permission} permission.`,
  );
}
