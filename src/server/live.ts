// Server-sent events for open public pages. Each connection hears every change on the shared
// feed, so a viewer connected to any instance sees a change made through any other.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeEvent } from './change-feed.ts';

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

  connect(req: IncomingMessage, res: ServerResponse, lastId: number): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx and similar proxies must not buffer the stream
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\nid: ${lastId}\nevent: hello\ndata: {}\n\n`);
    // A reconnecting viewer that missed changes is told at once to refresh.
    const seen = Number(req.headers['last-event-id']);
    if (Number.isFinite(seen) && seen > 0 && seen < lastId) {
      res.write(`id: ${lastId}\nevent: change\ndata: ${JSON.stringify({ missed: true })}\n\n`);
    }
    this.#clients.add(res);
    req.on('close', () => this.#clients.delete(res));
  }

  broadcast(events: ChangeEvent[]): void {
    if (events.length === 0) return;
    const last = events[events.length - 1];
    // Changes to unpublished records carry no subject: they are announced, never named.
    const data = JSON.stringify({ subjects: [...new Set(events.map((e) => e.subject).filter((s) => s !== ''))] });
    const frame = `id: ${last.id}\nevent: change\ndata: ${data}\n\n`;
    for (const res of this.#clients) res.write(frame);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
