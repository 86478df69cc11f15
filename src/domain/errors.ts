// Errors a caller can act on. Routes turn them into 4xx responses carrying the message.
import { z } from 'zod';
import { fieldLabel } from './field-labels.ts';
import { inspectText } from './text-rules.ts';

export class InputError extends Error {
  readonly status: number = 400;
  /** One entry per refused field, "key: sentence": the key for programs, the sentence for people. */
  readonly details: string[];
  /** The same problems as sentences alone, for a form that shows them beside its fields. */
  readonly sentences: string[];
  constructor(message: string, details: string[] = [], sentences: string[] = details) {
    super(message);
    this.name = 'InputError';
    this.details = details;
    this.sentences = sentences;
  }
}

/** The kinds of record a NotFoundError can be about; callers tell one miss from another by these, never by message text. */
export type NotFoundEntity =
  | 'action item'
  | 'audience'
  | 'component'
  | 'component group'
  | 'feed link'
  | 'contributing factor'
  | 'history page'
  | 'incident'
  | 'incident update'
  | 'maintenance'
  | 'review'
  | 'sign-in link'
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
  /** `sentences`: the problems one by one, for a page that lists them under the message. */
  constructor(message: string, sentences: string[] = []) {
    super(message, sentences, sentences);
    this.name = 'ConflictError';
  }
}

/** The caller may not do this, whatever they send (a 403); the message says who may. */
export class ForbiddenError extends InputError {
  override readonly status = 403;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
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

interface FieldProblem {
  path: readonly PropertyKey[];
  /** What is wrong, as the end of a sentence: "is required", "must be 0 or more minutes". */
  text: string;
}

/** The one place a refused field becomes words: "Reminder must be 0 or more minutes". */
function sentence({ path, text }: FieldProblem): string {
  const { label } = fieldLabel(path);
  return /^(is|are|must|has|needs|cannot|does) /.test(text) ? `${label} ${text}` : `${label}: ${text}`;
}

function refused(problems: FieldProblem[]): InputError {
  const sentences = problems.map(sentence);
  return new InputError(
    sentences.join('; '),
    problems.map((p, i) => `${p.path.length ? p.path.map(String).join('.') : 'input'}: ${sentences[i]}`),
    sentences,
  );
}

/** An InputError about one field (`path` like "scheduledUntil" or "components.3"), worded as parseInput words them. */
export function fieldError(path: string, text: string): InputError {
  return refused([{ path: path.split('.'), text }]);
}

/**
 * What a zod issue means for a person. Candor's schemas give their own wording, which starts in
 * lower case ("is required"); zod's own ("Too small: expected number to be >=0") is reworded here.
 */
function issueText(issue: z.core.$ZodIssue): string {
  if (/^[a-z]/.test(issue.message)) return issue.message;
  const unit = fieldLabel(issue.path).unit;
  const amount = (n: unknown) => (unit === '%' ? `${String(n)}%` : unit ? `${String(n)} ${unit}` : String(n));
  switch (issue.code) {
    case 'invalid_type':
      // zod leaves the input out of its issues; its own message still says what it received.
      if (/received undefined/.test(issue.message)) return 'is required';
      return issue.expected === 'number' || issue.expected === 'int'
        ? 'must be a number'
        : issue.expected === 'boolean'
          ? 'must be true or false'
          : issue.expected === 'string'
            ? 'must be text'
            : issue.expected === 'array'
              ? 'must be a list'
              : issue.expected === 'object'
                ? 'must be an object'
                : `must be ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'is required' : `must be at least ${String(issue.minimum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at least ${String(issue.minimum)}`;
      if (issue.inclusive === false) return `must be more than ${amount(issue.minimum)}`;
      return unit && unit !== '%'
        ? `must be ${String(issue.minimum)} or more ${unit}`
        : `must be ${amount(issue.minimum)} or more`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${String(issue.maximum)}`;
      return issue.inclusive === false
        ? `must be less than ${amount(issue.maximum)}`
        : `must be at most ${amount(issue.maximum)}`;
    case 'invalid_format':
      if (issue.format === 'email') return 'must be an email address, such as name@example.com';
      if (issue.format === 'url') return 'must be a web address starting with https:// or http://';
      return `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues[0] ? issueText(issue.issues[0]) : 'is not valid';
    case 'unrecognized_keys':
      return `has fields Candor does not know: ${issue.keys.join(', ')}`;
    default:
      return 'is not valid';
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
  if (tooDeep) throw refused(textIssues);
  const result = schema.safeParse(value);
  if (result.success && textIssues.length === 0) return result.data;
  const schemaIssues = (result.error?.issues ?? []).map((issue) => ({ path: issue.path, text: issueText(issue) }));
  throw refused([...textIssues, ...schemaIssues]);
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
