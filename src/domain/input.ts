// Ids, numbers and times as they arrive: JSON values from the API, strings from forms and URLs.
// An id has one way to be written (`^[1-9][0-9]*$`, within the safe integer range), so " 1", "01",
// "0x10" or "1e3" name no record instead of the record they happen to equal. Numbers and times
// refuse the wrong JSON types: plain z.coerce would read true as 1 and null as 1970.
import { z } from 'zod';
import { isoDay } from './format.ts';

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

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T00:00(?::00(?:\.000)?)?Z?)?$/;

/**
 * A calendar day, as a date field sends it ("2026-12-31"), as midnight UTC in milliseconds.
 * Midnight written out in full (what Candor itself returns) and milliseconds at midnight are read
 * too; a time of day is refused, since the field asks for a day.
 */
export function dateInput(message = 'must be a date, such as 2026-12-31') {
  return z.union([z.string(message), z.number(message)], { error: message }).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : dayMs(value);
    if (ms === null || !Number.isSafeInteger(ms) || ms % 86_400_000 !== 0) {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    }
    return ms;
  });
}

function dayMs(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // 2026-02-30 would roll over to March: a day that does not exist is refused.
  return isoDay(ms) === `${m[1]}-${m[2]}-${m[3]}` ? ms : null;
}

/** A date and time: ISO 8601 text or milliseconds since 1970. Booleans, null, lists and objects are refused. */
export function timeInput(message = 'must be a date and time') {
  return z
    .union([z.string(message), z.number(message)], { error: message })
    .pipe(z.coerce.date(message))
    .transform((d) => d.getTime());
}
