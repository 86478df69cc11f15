// Helpers shared by the /api/v1 routes: JSON bodies in, JSON answers and readable errors out.
import {
  fieldError,
  InputError,
  NotFoundError,
  UnsupportedMediaTypeError,
  type NotFoundEntity,
} from '../domain/errors.ts';
import { canonicalId } from '../domain/input.ts';
import { assertUtf8Charset, decodeUtf8, mediaType } from './request-body.ts';
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

const CODES: Record<number, string> = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  415: 'unsupported_media_type',
};

/** Runs a route body; input errors become 4xx answers, anything else stays a real failure. */
export async function handleApi(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InputError)
      return apiError(error.status, CODES[error.status] ?? 'invalid_request', error.message, error.details);
    throw error;
  }
}

/**
 * Content types a JSON body may come with. A missing one is fine, and so is the form type: the
 * README's `curl -d '{…}'` sends exactly that, and it has always worked.
 */
function isJsonContentType(type: string | undefined): boolean {
  return (
    type === undefined ||
    type === 'application/json' ||
    /^application\/[\w.+-]+\+json$/.test(type) ||
    type === 'application/x-www-form-urlencoded'
  );
}

/** The body as a JSON object: 415 for another content type, 400 for invalid UTF-8 or JSON or a non-object. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const media = mediaType(request);
  if (!isJsonContentType(media?.type))
    throw new UnsupportedMediaTypeError(
      `Send the body as JSON with "Content-Type: application/json", not ${media!.type}.`,
    );
  assertUtf8Charset(media);
  const text = decodeUtf8(await request.arrayBuffer());
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

/** What each API path's id names, by the word its 404 message uses. */
const PATH_ENTITIES = {
  Audience: 'audience',
  Component: 'component',
  Group: 'component group',
  Incident: 'incident',
  Update: 'incident update',
  Maintenance: 'maintenance',
  Subscriber: 'subscriber',
  Template: 'template',
} as const satisfies Record<string, NotFoundEntity>;

/** The id in a route path. One that is not an id (" 1", "01", "1e3") names no record: a 404. */
export function parseId(value: string | undefined, what: keyof typeof PATH_ENTITIES): number {
  const id = routeId(value);
  if (id === null) {
    const message = `No ${what.toLowerCase()} with id ${JSON.stringify(value ?? '')}: ids are whole numbers from 1, without spaces, signs or leading zeros.`;
    throw new NotFoundError(PATH_ENTITIES[what], value ?? '', message);
  }
  return id;
}

export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

/** Far past the end of any list; it keeps the SQL offset an exact integer. */
const MAX_PAGE = 1_000_000;

/**
 * `?page=` (1 to 1,000,000, default 1) and `?per_page=` (1–100, default 25) of a list endpoint,
 * written as plain whole numbers like ids ("01", "1e1" or " 2" are refused with a 400).
 */
export function pageRequest(url: URL): PageRequest {
  const param = (name: string, fallback: number) =>
    url.searchParams.has(name) ? canonicalId(url.searchParams.get(name)) : fallback;
  const page = param('page', 1);
  const perPage = param('per_page', 25);
  if (page === null || page > MAX_PAGE)
    throw fieldError('page', 'must be a whole number from 1 to 1,000,000, such as ?page=2');
  if (perPage === null || perPage > 100)
    throw new InputError('per_page: must be a whole number from 1 to 100, such as ?per_page=50');
  return { page, perPage, offset: (page - 1) * perPage };
}

/** The pagination block every list answer carries. */
export function pagination(req: PageRequest, total: number) {
  return {
    page: req.page,
    per_page: req.perPage,
    total,
    next_page: req.offset + req.perPage < total ? req.page + 1 : null,
  };
}

/** Returns a 403 answer when the token (its scope, capped by its user's role) lacks the permission, else null. */
export function forbidden(
  locals: { user: SessionUser | null; tokenScope: TokenScope | null },
  permission: Permission,
): Response | null {
  const { user, tokenScope } = locals;
  if (user && tokenScope && tokenCan(user.role, tokenScope, permission)) return null;
  return apiError(
    403,
    'forbidden',
    `This token (scope ${tokenScope ?? 'none'}, user role ${user?.role ?? 'none'}) may not do this; it needs the ${permission} permission.`,
  );
}
