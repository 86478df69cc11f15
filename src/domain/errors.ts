// Errors a caller can act on. Routes turn them into 4xx responses carrying the message.
import { z } from 'zod';

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

/** Validates with a zod schema, turning its issues into one readable InputError. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  throw new InputError(details.join('; '), details);
}

/** An enumeration whose errors say what is missing or list the accepted values. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})`),
  });
}
