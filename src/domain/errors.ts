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

export class NotFoundError extends InputError {
  override readonly status = 404;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
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
    error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')} (got ${preview(issue.input)})`),
  });
}
