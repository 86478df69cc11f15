// Reading request bodies for the API and the forms. A body Candor cannot read is the sender's
// mistake, so it is answered with a 4xx that says what to send (415 for a content type Candor does
// not read, 400 for bytes that are not what they claim to be), never a 500. Text must be UTF-8:
// invalid bytes are refused, not silently replaced, for JSON and forms alike. What the text may
// contain is the domain's rule (parseInput), so a form refused for a control character is shown
// again with what was typed.
import { InputError, UnsupportedMediaTypeError } from '../domain/errors.ts';

export interface MediaType {
  /** Lower-case `type/subtype`. */
  type: string;
  /** Parameter names lower-case, values as sent (without quotes). */
  params: Record<string, string>;
}

/** The request's media type, or null when it sent no Content-Type. */
export function mediaType(request: Request): MediaType | null {
  const header = request.headers.get('content-type');
  if (header === null || !header.trim()) return null;
  const [type, ...rest] = header.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const value = part.slice(eq + 1).trim();
    params[part.slice(0, eq).trim().toLowerCase()] =
      value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Candor decodes UTF-8 only (US-ASCII is a subset of it). */
export function assertUtf8Charset(media: MediaType | null): void {
  const charset = media?.params.charset?.toLowerCase();
  if (charset && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) {
    throw new UnsupportedMediaTypeError(`Send the body as UTF-8; charset=${charset} is not read here.`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as UTF-8 text; invalid UTF-8 (stray bytes, overlong forms, encoded surrogates) is a 400. */
export function decodeUtf8(bytes: Uint8Array | ArrayBuffer, what = 'The request body'): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InputError(`${what} is not valid UTF-8 text.`);
  }
}

const isHex = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
const encoder = new TextEncoder();

/**
 * One name or value of an urlencoded form, decoded as the URL standard says ("+" is a space, a "%"
 * not followed by two hex digits stays), except that bytes which are not UTF-8 are refused.
 */
function decodeFormComponent(raw: string): string {
  const input = encoder.encode(raw);
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i];
    if (b === 0x25 && i + 2 < input.length && isHex(input[i + 1]) && isHex(input[i + 2])) {
      out[n++] = parseInt(String.fromCharCode(input[i + 1], input[i + 2]), 16);
      i += 2;
    } else {
      out[n++] = b === 0x2b ? 0x20 : b;
    }
  }
  return decodeUtf8(out.subarray(0, n), 'The form');
}

function parseUrlEncoded(text: string): FormData {
  const form = new FormData();
  for (const piece of text.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    form.append(
      decodeFormComponent(eq === -1 ? piece : piece.slice(0, eq)),
      decodeFormComponent(eq === -1 ? '' : piece.slice(eq + 1)),
    );
  }
  return form;
}

/**
 * Every part's headers, and the content of every part that is not a file, must be UTF-8 (files,
 * such as an uploaded logo, are bytes). Parts are found by the boundary alone; the platform's
 * parser reads them afterwards.
 */
function assertUtf8Parts(bytes: Buffer, first: Buffer, between: Buffer): void {
  let at = bytes.subarray(0, first.length).equals(first) ? 0 : bytes.indexOf(between);
  while (at !== -1) {
    const start = at + (at === 0 && bytes[0] !== 0x0d ? first.length : between.length);
    const next = bytes.indexOf(between, start);
    const part = bytes.subarray(start, next === -1 ? bytes.length : next);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd === -1 ? part.length : headerEnd);
    decodeUtf8(headers, 'The form');
    if (!/;\s*filename\*?=/i.test(headers.toString('latin1'))) decodeUtf8(part, 'The form');
    at = next;
  }
}

async function parseMultipart(request: Request, media: MediaType): Promise<FormData> {
  const boundary = media.params.boundary;
  if (!boundary) throw new InputError('A multipart/form-data body needs a boundary parameter in its Content-Type.');
  const bytes = Buffer.from(await request.arrayBuffer());
  const first = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  if (!bytes.subarray(0, first.length).equals(first) && bytes.indexOf(between) === -1) {
    throw new InputError('The multipart form does not contain the boundary its Content-Type names.');
  }
  assertUtf8Parts(bytes, first, between);
  try {
    return await new Response(bytes, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
  } catch (error) {
    throw new InputError(`The multipart form could not be read (${(error as Error).message}); it may be cut short.`);
  }
}

/**
 * A posted form, from `application/x-www-form-urlencoded` or `multipart/form-data` in UTF-8. Throws
 * UnsupportedMediaTypeError (415) for another content type and InputError (400) for a body that
 * cannot be read.
 */
export async function parseFormBody(request: Request): Promise<FormData> {
  const media = mediaType(request);
  if (media?.type === 'application/x-www-form-urlencoded') {
    assertUtf8Charset(media);
    return parseUrlEncoded(decodeUtf8(await request.arrayBuffer(), 'The form'));
  }
  if (media?.type === 'multipart/form-data') return parseMultipart(request, media);
  throw new UnsupportedMediaTypeError(
    `Send the form as application/x-www-form-urlencoded or multipart/form-data${media ? `, not ${media.type}` : ' (the request has no Content-Type)'}.`,
  );
}
