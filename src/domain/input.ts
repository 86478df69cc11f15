// Ids, numbers and times as they arrive: JSON values from the API, strings from forms and URLs.
// An id has one way to be written (`^[1-9][0-9]*$`, within the safe integer range), so " 1", "01",
// "0x10" or "1e3" name no record instead of the record they happen to equal. Numbers and times
// refuse the wrong JSON types: plain z.coerce would read true as 1 and null as 1970.
import { z } from 'zod';

export const CANONICAL_ID = /^[1-9][0-9]*$/;

/** The id a value names: a positive safe integer, or its canonical decimal string. Otherwise null. */
export function canonicalId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string' || !CANONICAL_ID.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

const ID_MESSAGE = 'must be an id: a whole number from 1, written without spaces, signs or leading zeros';

/** A record id in a body: a JSON integer or a canonical decimal string (forms send strings). */
export function idSchema(message = ID_MESSAGE) {
  return z
    .union([z.int(message).min(1, message), z.string(message).regex(CANONICAL_ID, message)], { error: message })
    .transform((value, ctx) => {
      const id = canonicalId(value);
      if (id === null) ctx.addIssue({ code: 'custom', message, input: value });
      return id ?? z.NEVER;
    });
}

/** A record id as an object key, e.g. the component ids of {"components": {"3": "major_outage"}}. */
export function idKeySchema(message = ID_MESSAGE) {
  return z
    .string()
    .regex(CANONICAL_ID, message)
    .refine((key) => canonicalId(key) !== null, message);
}

/**
 * A number checked by `inner`, sent as a JSON number or as decimal text (forms send text). Other
 * types are refused with `message`.
 */
export function numberInput(inner: z.ZodNumber, message = 'must be a number') {
  return z.union(
    [
      inner,
      z
        .string(message)
        .trim()
        .regex(/^-?\d+(\.\d+)?$/, message)
        .transform(Number)
        .pipe(inner),
    ],
    { error: message },
  );
}

/** A date and time: ISO 8601 text or milliseconds since 1970. Booleans, null, lists and objects are refused. */
export function timeInput(message = 'must be a date and time') {
  return z
    .union([z.string(message), z.number(message)], { error: message })
    .pipe(z.coerce.date(message))
    .transform((d) => d.getTime());
}
