// Server-sent events for open public pages. Each connection hears every change on the shared
// feed, so a viewer connected to any instance sees a change made through any other. The first
// frame (hello) and every change name the current live fragments (live-fragments.ts).
//
// A stream is opened either by node:http (connect) or, for a plain request, by the fast front
// straight on the socket (connectSocket): ten thousand viewers then hold ten thousand sockets,
// without a request, a response and a parser each. Both write the same bytes.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ChangeEvent } from './change-feed.ts';
import type { LiveState } from './live-fragments.ts';

const HEARTBEAT_MS = 20_000;

/** The stream's own headers, after the security headers. */
const STREAM_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  connection: 'keep-alive',
  // nginx and similar proxies must not buffer the stream
  'x-accel-buffering': 'no',
};

/** One open stream, whichever layer opened it. */
interface LiveClient {
  write(text: string): void;
  end(): void;
}

/** A stream on a raw socket: HTTP/1.1 chunks, as node:http frames a response without a length. */
class SocketClient implements LiveClient {
  readonly socket: Socket;
  constructor(socket: Socket) {
    this.socket = socket;
  }
  write(text: string): void {
    this.socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
  }
  end(): void {
    this.socket.end('0\r\n\r\n');
  }
}

const helloFrame = (state: LiveState) =>
  `retry: 2000\nid: ${state.v}\nevent: hello\ndata: ${JSON.stringify(state)}\n\n`;

export class LiveHub {
  #clients = new Set<LiveClient>();
  #heartbeat: NodeJS.Timeout;

  constructor() {
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) client.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** `state` names the current fragments: a reader whose page is older fetches them at once. */
  connect(req: IncomingMessage, res: ServerResponse, state: LiveState): void {
    res.writeHead(200, STREAM_HEADERS);
    const client: LiveClient = { write: (text) => void res.write(text), end: () => void res.end() };
    client.write(helloFrame(state));
    this.#clients.add(client);
    req.on('close', () => this.#clients.delete(client));
  }

  /**
   * Opens a stream on a socket the fast front read a plain GET from: the head node:http would
   * write (`extra` is the security headers; `date` its Date line), then the hello frame.
   */
  connectSocket(socket: Socket, extra: OutgoingHttpHeaders, dateLine: string, state: LiveState): void {
    let head = 'HTTP/1.1 200 OK\r\n';
    for (const [name, value] of Object.entries({ ...extra, ...STREAM_HEADERS }))
      head += `${name}: ${String(value)}\r\n`;
    socket.write(`${head}${dateLine}Transfer-Encoding: chunked\r\n\r\n`);
    const client = new SocketClient(socket);
    client.write(helloFrame(state));
    this.#clients.add(client);
    socket.on('close', () => this.#clients.delete(client));
    // A viewer that closes its side is gone (the socket is half-open by default, as node:http's):
    // let its descriptor go now, not at the next heartbeat. A reset stream is a viewer gone too.
    socket.on('end', () => socket.destroy());
    socket.on('error', () => socket.destroy());
  }

  /** One frame for everyone, built once: what changed and where the current fragments are. */
  broadcast(events: ChangeEvent[], state: LiveState): void {
    if (events.length === 0) return;
    // Changes to unpublished records carry no subject: they are announced, never named.
    const subjects = [...new Set(events.map((e) => e.subject).filter((s) => s !== ''))];
    const frame = `id: ${state.v}\nevent: change\ndata: ${JSON.stringify({ ...state, subjects })}\n\n`;
    for (const client of this.#clients) client.write(frame);
  }

  /**
   * Ends every stream. When the instance is going away, each reader is first told to reconnect
   * after a short, spread-out delay (SSE `retry`): the balancer sends them to the other
   * instances, and their hello frame brings them up to date without a herd arriving at once.
   */
  close(reconnect?: { minMs: number; maxMs: number }): void {
    clearInterval(this.#heartbeat);
    for (const client of this.#clients) {
      if (reconnect) {
        const ms = Math.round(reconnect.minMs + Math.random() * (reconnect.maxMs - reconnect.minMs));
        client.write(`retry: ${ms}\n\n`);
      }
      client.end();
    }
    this.#clients.clear();
  }

  get viewers(): number {
    return this.#clients.size;
  }
}
