// Server-sent events for open public pages. Each connection hears every change on the shared
// feed, so a viewer connected to any instance sees a change made through any other. The first
// frame (hello) and every change name the current live fragments (live-fragments.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeEvent } from './change-feed.ts';
import type { LiveState } from './live-fragments.ts';

const HEARTBEAT_MS = 20_000;

export class LiveHub {
  #clients = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout;

  constructor() {
    this.#heartbeat = setInterval(() => {
      for (const res of this.#clients) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** `state` names the current fragments: a reader whose page is older fetches them at once. */
  connect(req: IncomingMessage, res: ServerResponse, state: LiveState): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx and similar proxies must not buffer the stream
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\nid: ${state.v}\nevent: hello\ndata: ${JSON.stringify(state)}\n\n`);
    this.#clients.add(res);
    req.on('close', () => this.#clients.delete(res));
  }

  /** One frame for everyone, built once: what changed and where the current fragments are. */
  broadcast(events: ChangeEvent[], state: LiveState): void {
    if (events.length === 0) return;
    // Changes to unpublished records carry no subject: they are announced, never named.
    const subjects = [...new Set(events.map((e) => e.subject).filter((s) => s !== ''))];
    const frame = `id: ${state.v}\nevent: change\ndata: ${JSON.stringify({ ...state, subjects })}\n\n`;
    for (const res of this.#clients) res.write(frame);
  }

  /**
   * Ends every stream. When the instance is going away, each reader is first told to reconnect
   * after a short, spread-out delay (SSE `retry`): the balancer sends them to the other
   * instances, and their hello frame brings them up to date without a herd arriving at once.
   */
  close(reconnect?: { minMs: number; maxMs: number }): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) {
      if (reconnect) {
        const ms = Math.round(reconnect.minMs + Math.random() * (reconnect.maxMs - reconnect.minMs));
        res.write(`retry: ${ms}\n\n`);
      }
      res.end();
    }
    this.#clients.clear();
  }

  get viewers(): number {
    return this.#clients.size;
  }
}
