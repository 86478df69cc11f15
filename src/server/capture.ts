// A stand-in for http.ServerResponse that collects what Astro's handler writes, so the front
// server can cache the bytes. It implements exactly what astro/app/node's writeResponse uses.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

export interface CapturedPage {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

export class CapturingResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  readonly req: IncomingMessage;
  readonly #headers: OutgoingHttpHeaders = {};
  readonly #chunks: Buffer[] = [];
  readonly done: Promise<CapturedPage>;
  #resolve!: (page: CapturedPage) => void;
  #reject!: (error: Error) => void;

  constructor(req: IncomingMessage) {
    super();
    this.req = req;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.#headers[name.toLowerCase()] = value as string | string[];
    return this;
  }

  getHeader(name: string) {
    return this.#headers[name.toLowerCase()];
  }

  writeHead(status: number, reasonOrHeaders?: string | OutgoingHttpHeaders, maybeHeaders?: OutgoingHttpHeaders): this {
    this.statusCode = status;
    const headers = typeof reasonOrHeaders === 'object' ? reasonOrHeaders : maybeHeaders;
    for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) this.#headers[k.toLowerCase()] = v;
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Uint8Array, callback?: () => void): boolean {
    this.#chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    callback?.();
    return true;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk) this.write(chunk);
    this.headersSent = true;
    this.#resolve({ status: this.statusCode, headers: this.#headers, body: Buffer.concat(this.#chunks) });
    this.emit('finish');
    return this;
  }

  destroy(error?: Error): this {
    this.#reject(error ?? new Error('render aborted'));
    this.emit('close');
    return this;
  }
}
