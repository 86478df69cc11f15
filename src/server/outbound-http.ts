// The one way Candor calls a URL a user gave it (staff webhooks, chat webhooks). The address is
// checked when the socket connects, against every address the name resolves to at that moment,
// so a name that resolves to a public address when it is saved and to 10.0.0.1 later (DNS
// rebinding) is still refused. No redirects are followed; connect and total timeouts and a cap on
// the response body bound what one call can cost.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { addressRefusal, urlRefusal, type OutboundPolicy } from '../domain/outbound-rules.ts';

export interface OutboundOptions {
  policy: OutboundPolicy;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxResponseBytes?: number;
  /** Name resolution; tests pass one that maps names to chosen addresses. */
  lookup?: typeof dns.lookup;
}

export type OutboundResult =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders; body: string; truncated: boolean }
  /** Candor would not make (or finish) this call; `reason` says why in words for the admin. */
  | { kind: 'refused'; reason: string }
  | { kind: 'error'; message: string };

const REFUSAL = Symbol('outbound refusal');
type RefusalError = Error & { [REFUSAL]?: true };

function refusalError(reason: string): RefusalError {
  return Object.assign(new Error(reason), { [REFUSAL]: true as const });
}

/** dns.lookup, but every address the name resolves to must pass the policy, or the connection fails. */
function guardedLookup(policy: OutboundPolicy, resolve: typeof dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses;
      for (const { address } of list) {
        const refusal = addressRefusal(address, policy);
        if (refusal) return callback(refusalError(`${hostname} resolves to ${refusal}.`), '', 0);
      }
      if (options.all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      if (list.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/** POSTs `body` to `url` under the policy. Never throws: every outcome is a result. */
export function postOutbound(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: OutboundOptions,
): Promise<OutboundResult> {
  return requestOutbound('POST', url, body, headers, options);
}

/** GETs `url` under the policy (an import reading a page a user named). Never throws. */
export function getOutbound(
  url: string,
  headers: Record<string, string>,
  options: OutboundOptions,
): Promise<OutboundResult> {
  return requestOutbound('GET', url, null, headers, options);
}

function requestOutbound(
  method: 'GET' | 'POST',
  url: string,
  body: string | null,
  headers: Record<string, string>,
  options: OutboundOptions,
): Promise<OutboundResult> {
  const { policy } = options;
  const refusal = urlRefusal(url, policy);
  if (refusal) return Promise.resolve({ kind: 'refused', reason: `The address ${refusal}.` });
  const target = new URL(url);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const totalTimeoutMs = options.totalTimeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  const lib = target.protocol === 'https:' ? https : http;

  return new Promise((done) => {
    let settled = false;
    const finish = (result: OutboundResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      done(result);
    };
    const request = lib.request(target, {
      method,
      headers: body === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // A fresh connection per call: a pooled socket would skip the connect-time check.
      agent: false,
      lookup: guardedLookup(policy, options.lookup ?? dns.lookup),
    });
    const total = setTimeout(
      () => request.destroy(new Error(`No complete answer within ${totalTimeoutMs / 1000} s.`)),
      totalTimeoutMs,
    );
    const connect = setTimeout(
      () => request.destroy(new Error(`Could not connect within ${connectTimeoutMs / 1000} s.`)),
      connectTimeoutMs,
    );
    request.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        clearTimeout(connect);
        // The address actually connected to, judged once more: a literal host skips the lookup.
        const remote = socket.remoteAddress ?? '';
        const refused = remote ? addressRefusal(remote, policy) : null;
        if (refused) request.destroy(refusalError(`${target.hostname} is ${refused}.`));
      });
    });
    request.on('error', (error: RefusalError) => {
      if (error[REFUSAL]) return finish({ kind: 'refused', reason: `Refused: ${error.message}` });
      const code = (error as { code?: string }).code;
      finish({ kind: 'error', message: `Could not reach the endpoint: ${code ? `${code} ` : ''}${error.message}` });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const answer = () =>
        finish({
          kind: 'response',
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          truncated,
        });
      response.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          truncated = true;
          // The status is known; the rest of an oversized body is not worth reading.
          answer();
          response.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', answer);
      response.on('error', (error) => finish({ kind: 'error', message: `The answer broke off: ${error.message}` }));
    });
    request.end(body ?? undefined);
  });
}
