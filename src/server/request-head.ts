// A deliberately narrow reader of HTTP/1.1 request heads, for the fast front (fast-front.ts). It
// understands only the plainest requests a cached public page gets: GET or HEAD, HTTP/1.1, an
// origin-form target, well-formed header lines, no body. Anything else, including anything it is
// unsure of, is "unsupported": node:http (llhttp) then reads the connection and answers, or
// refuses, exactly as it always did. Saying "unsupported" too often costs speed; reading too
// much would open a door node:http keeps shut, so every doubt goes to node:http.

/** The largest head read here; node:http's own limit (16 KB) answers larger ones with a 431. */
export const MAX_HEAD_BYTES = 16 * 1024;

export interface RequestHead {
  method: 'GET' | 'HEAD';
  /** The request target as sent (starts with "/"). */
  target: string;
  host: string;
  cookie: string | undefined;
  /** The proxies' X-Forwarded-For (one line: a repeated one goes to node:http, which joins them). */
  forwardedFor: string | undefined;
  acceptEncoding: string | undefined;
  ifNoneMatch: string | undefined;
  /** The client asked to close the connection after this answer. */
  close: boolean;
  /** Bytes of the buffer this head took, from its start. */
  length: number;
}

export type HeadReading = RequestHead | 'incomplete' | 'unsupported';

const CR = 13;
const LF = 10;

/** Header names this reader needs, or must see to know the request is not its kind. */
const SINGLE = new Set(['host', 'cookie', 'accept-encoding', 'if-none-match', 'connection', 'x-forwarded-for']);
/** A request with any of these is not a plain read: node:http decides what it means. */
const NOT_PLAIN = new Set(['content-length', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings']);

/** RFC 9110 token characters, for header names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, space and tab: anything else in a value (obs-text, controls) goes to node:http. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
/** An origin-form target of visible ASCII. */
const TARGET = /^\/[\x21-\x7e]*$/;

/** Reads the request head that starts at `start` in `buf`. */
export function readRequestHead(buf: Buffer, start = 0): HeadReading {
  const end = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (end === -1) {
    // A head with bare LFs may already be complete to node:http: it decides, not a wait here.
    for (let lf = buf.indexOf(LF, start); lf !== -1; lf = buf.indexOf(LF, lf + 1)) {
      if (lf === start || buf[lf - 1] !== CR) return 'unsupported';
    }
    return buf.length - start > MAX_HEAD_BYTES ? 'unsupported' : 'incomplete';
  }
  const length = end + 4 - start;
  if (length > MAX_HEAD_BYTES) return 'unsupported';
  // Bare LFs (or CRs) would make lines this reader and a proxy in front might split differently.
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === LF && buf[i - 1] !== CR) return 'unsupported';
    if (c === CR && buf[i + 1] !== LF) return 'unsupported';
  }
  const lines = buf.toString('latin1', start, end).split('\r\n');
  const request = /^(GET|HEAD) (\S+) HTTP\/1\.1$/.exec(lines[0]);
  if (!request || !TARGET.test(request[2])) return 'unsupported';
  const seen = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    // No obs-fold (a line starting with white space), no empty name, no space before the colon.
    if (colon <= 0) return 'unsupported';
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return 'unsupported';
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return 'unsupported';
    const lower = name.toLowerCase();
    if (NOT_PLAIN.has(lower)) return 'unsupported';
    if (SINGLE.has(lower)) {
      if (seen.has(lower)) return 'unsupported';
      seen.set(lower, value);
    }
  }
  const host = seen.get('host');
  if (host === undefined) return 'unsupported';
  const connection = seen.get('connection')?.toLowerCase();
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') return 'unsupported';
  return {
    method: request[1] as 'GET' | 'HEAD',
    target: request[2],
    host,
    cookie: seen.get('cookie'),
    forwardedFor: seen.get('x-forwarded-for'),
    acceptEncoding: seen.get('accept-encoding'),
    ifNoneMatch: seen.get('if-none-match'),
    close: connection === 'close',
    length,
  };
}
