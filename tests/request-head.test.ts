// The fast front's reader takes only the plainest reads and sends every doubt to node:http.
import { describe, expect, test } from 'vitest';
import { MAX_HEAD_BYTES, readRequestHead } from '../src/server/request-head.ts';

const read = (text: string, start = 0) => readRequestHead(Buffer.from(text, 'latin1'), start);

describe('request heads', () => {
  test('a plain GET and HEAD, one after another in one buffer', () => {
    const first =
      'GET /history?month=2026-11 HTTP/1.1\r\nHost: status.example.com\r\nAccept-Encoding: gzip, br\r\n' +
      'Cookie: candor_lang=de\r\nIf-None-Match: "abc"\r\nUser-Agent: test\r\nX-Forwarded-For: 203.0.113.9, 10.0.0.1\r\n\r\n';
    const second = 'HEAD / HTTP/1.1\r\nhost: status.example.com\r\nconnection: close\r\n\r\n';
    expect(read(first + second)).toEqual({
      method: 'GET',
      target: '/history?month=2026-11',
      host: 'status.example.com',
      cookie: 'candor_lang=de',
      forwardedFor: '203.0.113.9, 10.0.0.1',
      acceptEncoding: 'gzip, br',
      ifNoneMatch: '"abc"',
      close: false,
      length: first.length,
    });
    expect(read(first + second, first.length)).toMatchObject({ method: 'HEAD', target: '/', close: true });
  });

  test('header names in any case, values trimmed, and only whole names count', () => {
    const head =
      'GET / HTTP/1.1\r\nX-Host: wrong\r\nhOsT:\t a.example \t\r\nReferer: http://b/?x\r\nhost-ish: c\r\n' +
      'X-Cookie: no\r\nACCEPT-ENCODING: br\r\n\r\n';
    expect(read(head)).toMatchObject({ host: 'a.example', cookie: undefined, acceptEncoding: 'br' });
    // A name that only ends in "host", or "host:" inside a value, is not a Host line.
    expect(read('GET / HTTP/1.1\r\nX-Host: a\r\nReferer: /?\r\n\r\n')).toBe('unsupported');
    expect(read('GET / HTTP/1.1\r\nReferer: /?host:a\r\n\r\n')).toBe('unsupported');
  });

  test('a head still arriving is incomplete, until it is too long to be one', () => {
    expect(read('GET / HTTP/1.1\r\nHost: a\r\n')).toBe('incomplete');
    expect(read('GET / HTTP/1.1\r\nHost: a\r\nX: ' + 'y'.repeat(MAX_HEAD_BYTES))).toBe('unsupported');
  });

  test.each([
    ['another method', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.0', 'GET / HTTP/1.0\r\nHost: a\r\n\r\n'],
    ['an absolute-form target', 'GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['an asterisk target', 'GET * HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['no Host', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n'],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    [
      'two X-Forwarded-For headers',
      'GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 5.6.7.8\r\n\r\n',
    ],
    ['two Cookie headers', 'GET / HTTP/1.1\r\nHost: a\r\nCookie: x=1\r\nCookie: y=2\r\n\r\n'],
    ['a body length', 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello'],
    ['a transfer coding', 'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['an upgrade', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
    ['an expectation', 'GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n'],
    ['another connection option', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, x-foo\r\n\r\n'],
    ['a folded line', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  continued\r\n\r\n'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n'],
    ['a line without a colon', 'GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n'],
    ['a bare LF in a complete head', 'GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n'],
    ['bare LFs only', 'GET / HTTP/1.1\nHost: a\n\n'],
    ['a bare CR', 'GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n'],
    ['a control character in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: b\x00c\r\n\r\n'],
    ['a vertical tab ending a value', 'GET / HTTP/1.1\r\nHost: a\x0b\r\n\r\n'],
    ['a header name with a byte outside tokens', 'GET / HTTP/1.1\r\nHost: a\r\nX(1): b\r\n\r\n'],
    ['a byte over 0x7e in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n'],
    ['a byte over 0x7e in the target', 'GET /caf\xe9 HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['two spaces in the request line', 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n'],
  ])('%s goes to node:http', (_, text) => {
    expect(read(text)).toBe('unsupported');
  });
});
