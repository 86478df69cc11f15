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

/**
 * Header names this reader needs, each at most once, or must see to know the request is not its
 * kind; readRequestHead takes their values in this order.
 */
const SINGLE = ['host', 'cookie', 'accept-encoding', 'if-none-match', 'connection', 'x-forwarded-for'] as const;
/** A request with any of these is not a plain read: node:http decides what it means. */
const NOT_PLAIN = ['content-length', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings'];

/**
 * A whole head this reader takes: the request line with an origin-form target of visible ASCII,
 * then header lines of an RFC 9110 token, a colon and a value of visible ASCII, space and tab.
 * A CR or LF anywhere else (bare, or folding a line), an empty name, a space before the colon or
 * any other byte fails it. Each line starts with CRLF and neither part can hold one, so the match
 * never backtracks.
 */
const PLAIN_HEAD = /^(GET|HEAD) (\/[\x21-\x7e]*) HTTP\/1\.1(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e]*)*$/;

/** Where each header line with a name starts ("\r\nname:"), in a head already lowercased. */
const lineOf = (name: string) => `\r\n${name}:`;
const SINGLE_LINES = SINGLE.map(lineOf);
const NOT_PLAIN_LINES = NOT_PLAIN.map(lineOf);

/**
 * The value of the one header `line` (one of SINGLE_LINES) in `head`, undefined when there is none,
 * null when there are two. The head matched PLAIN_HEAD, so a line's name cannot hold a colon or a
 * CRLF and a value cannot hold a CRLF: "\r\nname:" found is that header's line.
 */
function single(head: string, lower: string, line: string): string | undefined | null {
  const at = lower.indexOf(line);
  if (at === -1) return undefined;
  if (lower.indexOf(line, at + line.length) !== -1) return null;
  const end = head.indexOf('\r\n', at + line.length);
  return head.slice(at + line.length, end === -1 ? head.length : end).trim();
}

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
  const head = buf.toString('latin1', start, end);
  const request = PLAIN_HEAD.exec(head);
  if (!request) return 'unsupported';
  // Plain ASCII (the match says so): lowercasing keeps every offset.
  const lower = head.toLowerCase();
  for (const line of NOT_PLAIN_LINES) if (lower.includes(line)) return 'unsupported';
  const values: (string | undefined)[] = [];
  for (const line of SINGLE_LINES) {
    const value = single(head, lower, line);
    if (value === null) return 'unsupported';
    values.push(value);
  }
  const [host, cookie, acceptEncoding, ifNoneMatch, connectionValue, forwardedFor] = values;
  if (host === undefined) return 'unsupported';
  const connection = connectionValue?.toLowerCase();
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') return 'unsupported';
  return {
    method: request[1] as 'GET' | 'HEAD',
    target: request[2],
    host,
    cookie,
    forwardedFor,
    acceptEncoding,
    ifNoneMatch,
    close: connection === 'close',
    length,
  };
}
