// The one rule for links a user gives Candor (webhook addresses, ticket links, and any later link
// field): an absolute http:// or https:// URL with a host. `javascript:`, `data:`, `vbscript:`
// and the rest never get in, and `safeHref` keeps any that got in before from becoming a link.
import { z } from 'zod';

const MAX_URL_LENGTH = 2000;

/** Whether `value` is an absolute http(s) URL with a host name. */
export function isHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** A required http(s) link, trimmed. */
export const httpUrlSchema = z
  .string({ error: 'is required' })
  .trim()
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH.toLocaleString('en')} characters`)
  .refine(isHttpUrl, 'must be a web address starting with http:// or https://');

/** An optional http(s) link: empty means none. */
export const optionalHttpUrlSchema = z.union([z.literal(''), httpUrlSchema]).default('');

/** The value when it is a safe http(s) link to render as `href`, else undefined. */
export function safeHref(value: string | null | undefined): string | undefined {
  return value && isHttpUrl(value) ? value : undefined;
}
