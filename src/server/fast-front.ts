// The fast front: the listening socket's first reader. A plain GET or HEAD whose answer is a
// fresh page-cache entry is answered here straight from bytes built once per entry (status line,
// headers, body), with no IncomingMessage, ServerResponse or header object per request; that is
// where node:http spent most of a cached answer's time (issue 13: 20-23 us of CPU for a fixed
// buffer, against nginx's 15-16). Everything else, and every request this reader is not sure of
// (request-head.ts), hands the connection with its unread bytes to node:http, which then keeps it:
// its parser, limits, timeouts and answers are exactly what they were before.
import type { Server as HttpServer } from 'node:http';
import net, { type Socket } from 'node:net';
import type { WireAnswer } from './page-cache.ts';
import { readRequestHead, type RequestHead } from './request-head.ts';

/** node:http's headersTimeout: a head that takes longer to arrive is given up. */
const HEAD_TIMEOUT_MS = 60_000;
/** A client that reads slower than it asks is not fed more than this before it reads. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/** A stream the fast front opens on the socket and leaves to its owner (the live events). */
export interface StreamAnswer {
  /** Writes the answer's head (with `dateLine`, the Date header) and keeps the socket. */
  stream: (socket: Socket, dateLine: string) => void;
}

export interface FastFrontOptions {
  http: HttpServer;
  /**
   * The answer for a plain read from `peer` (the socket's remote address), or null to let
   * node:http answer it (and the rest of the connection).
   */
  answer: (head: RequestHead, peer: string | undefined) => WireAnswer | StreamAnswer | null;
  /** How long an idle connection is kept, as node:http's keepAliveTimeout. */
  keepAliveMs: number;
  /** Called after each answer written here (metrics, debug logs). */
  answered?: (head: RequestHead, status: number) => void;
}

export class FastFront {
  readonly server: net.Server;
  #options: FastFrontOptions;
  /** Connections still read here (not yet handed to node:http). */
  #sockets = new Set<Socket>();
  #closing = false;
  /** Answers written here since start, and connections handed to node:http (for the metrics). */
  readonly counts = { answered: 0, handedOff: 0 };
  #dateSecond = -1;
  #dateLine = '';
  #keepAliveTail = Buffer.alloc(0);
  #closeTail = Buffer.alloc(0);

  constructor(options: FastFrontOptions) {
    this.#options = options;
    // As node:http's own listener: a client may half-close after its request and still read the
    // answer, and node:http expects its sockets that way once they are handed over.
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
  }

  /** From now on every request goes to node:http (which closes connections while stopping); idle ones end. */
  stopFastAnswers(): void {
    this.#closing = true;
    for (const socket of this.#sockets) socket.end();
  }

  /** Ends every connection still read here. */
  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** The caller's answer; a request it cannot judge (it threw) is node:http's, whose handler reports errors. */
  #answer(head: RequestHead, peer: string | undefined): WireAnswer | StreamAnswer | null {
    try {
      return this.#options.answer(head, peer);
    } catch {
      return null;
    }
  }

  /** The Date header and connection headers that end a head, rebuilt once a second. */
  #tail(close: boolean): Buffer {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.#dateSecond) {
      this.#dateSecond = second;
      // Spelled as node:http spells them: an answer reads the same byte for byte from either.
      const date = (this.#dateLine = `Date: ${new Date(second * 1000).toUTCString()}\r\n`);
      const timeout = Math.floor(this.#options.keepAliveMs / 1000);
      this.#keepAliveTail = Buffer.from(`${date}Connection: keep-alive\r\nKeep-Alive: timeout=${timeout}\r\n\r\n`);
      this.#closeTail = Buffer.from(`${date}Connection: close\r\n\r\n`);
    }
    return close ? this.#closeTail : this.#keepAliveTail;
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setTimeout(this.#options.keepAliveMs);
    let pending: Buffer | null = null;
    let pendingSince = 0;

    const release = () => {
      socket.removeListener('data', onData);
      socket.removeListener('timeout', onTimeout);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.removeListener('end', onEnd);
      socket.setTimeout(0);
      this.#sockets.delete(socket);
    };
    const handOff = (rest: Buffer) => {
      release();
      this.counts.handedOff++;
      // Paused so the unread bytes stay first in line; node:http reads them when it resumes.
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      this.#options.http.emit('connection', socket);
      process.nextTick(() => socket.resume());
    };
    const onData = (chunk: Buffer) => {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = null;
      let at = 0;
      socket.cork();
      while (at < buf.length) {
        const head = this.#closing ? 'unsupported' : readRequestHead(buf, at);
        if (head === 'incomplete') {
          if (at > 0 || pendingSince === 0) pendingSince = Date.now();
          else if (Date.now() - pendingSince > HEAD_TIMEOUT_MS) {
            socket.uncork();
            socket.destroy();
            return;
          }
          pending = buf.subarray(at);
          break;
        }
        const answer = head === 'unsupported' ? null : this.#answer(head, socket.remoteAddress);
        if (head === 'unsupported' || !answer) {
          socket.uncork();
          handOff(buf.subarray(at));
          return;
        }
        pendingSince = 0;
        if ('stream' in answer) {
          // A stream answers the connection's last request: what the client sends after it is not read.
          socket.uncork();
          release();
          this.#tail(false);
          answer.stream(socket, this.#dateLine);
          this.counts.answered++;
          this.#options.answered?.(head, 200);
          return;
        }
        socket.write(answer.head);
        socket.write(this.#tail(head.close));
        if (answer.body) socket.write(answer.body);
        this.counts.answered++;
        this.#options.answered?.(head, answer.status);
        at += head.length;
        if (head.close) {
          socket.uncork();
          // Whatever the client sends after asking to close is not read.
          socket.removeListener('data', onData);
          socket.end();
          return;
        }
      }
      socket.uncork();
      if (socket.writableLength > HIGH_WATER_BYTES) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    };
    const onTimeout = () => socket.destroy();
    // A reset connection: nothing to answer, nothing to log.
    const onError = () => socket.destroy();
    const onClose = () => this.#sockets.delete(socket);
    // The client is done sending: every whole request it sent is answered (synchronously), so end.
    const onEnd = () => socket.end();
    socket.on('data', onData);
    socket.on('timeout', onTimeout);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('end', onEnd);
  }
}
