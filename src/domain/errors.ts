// Errors a caller can act on. Routes turn them into 4xx responses carrying the message.
import { z } from 'zod';
import { inspectText } from './text-rules.ts';

export class InputError extends Error {
  readonly status: number = 400;
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(message);
    this.name = 'InputError';
    this.details = details;
  }
}

/** The kinds of record a NotFoundError can be about; callers tell one miss from another by these, never by message text. */
export type NotFoundEntity =
  | 'action item'
  | 'component'
  | 'component group'
  | 'contributing factor'
  | 'history page'
  | 'incident'
  | 'maintenance'
  | 'review'
  | 'subscriber'
  | 'subscription'
  | 'template'
  | 'timeline entry'
  | 'token'
  | 'user';

/**
 * A record that does not exist (a 404). `entity` says which kind, for callers to match on. The
 * message is "No <entity> with id <id>." (ids joined by ", ") unless one is given.
 */
export class NotFoundError extends InputError {
  override readonly status = 404;
  readonly entity: NotFoundEntity;
  constructor(entity: NotFoundEntity, id: number | string | readonly (number | string)[] | null, message?: string) {
    super(message ?? `No ${entity}${id === null ? '' : ` with id ${[id].flat().join(', ')}`}.`);
    this.name = 'NotFoundError';
    this.entity = entity;
  }
}

export class ConflictError extends InputError {
  override readonly status = 409;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The body was sent as something Candor does not read (a 415). */
export class UnsupportedMediaTypeError extends InputError {
  override readonly status = 415;
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/**
 * Validates with a zod schema, turning its issues into one readable InputError. Every domain write
 * comes through here, so this is also where text breaking the rule of text-rules.ts (control
 * characters, invalid Unicode, absurd nesting) is refused, in any field, before anything is stored.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const { problems: textIssues, tooDeep } = inspectText(value);
  // Too deep to look into is too deep for zod as well: refuse before it recurses.
  if (tooDeep) throw new InputError(textIssues.join('; '), textIssues);
  const result = schema.safeParse(value);
  if (result.success && textIssues.length === 0) return result.data;
  const schemaIssues = (result.error?.issues ?? []).map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  const details = [...textIssues, ...schemaIssues];
  throw new InputError(details.join('; '), details);
}

/** A short, safe picture of a refused value for a message: never the whole of a long text or a structure. */
export function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** An enumeration whose errors say what is missing or list the accepted values. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')} (got ${preview(issue.input)})`,
  });
}
