// A local webhook endpoint: records every POST, echoes verification challenges, and can be told
// to fail the first deliveries to a path.
import http from 'node:http';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, any>;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Status codes to answer with before answering 200 (per path). */
  readonly failFirst = new Map<string, number[]>();
  echo = true;
  url = '';
  readonly #server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const json = JSON.parse(body);
    this.received.push({ path: req.url!, headers: req.headers, body, json });
    const queued = this.failFirst.get(req.url!);
    if (queued?.length) {
      res.writeHead(queued.shift()!);
      return res.end('not now');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      json.event_type === 'subscription.verify' && this.echo ? JSON.stringify({ challenge: json.challenge }) : '{}',
    );
  });

  async start(): Promise<string> {
    await new Promise<void>((ok) => this.#server.listen(0, '127.0.0.1', () => ok()));
    this.url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((ok) => this.#server.close(ok));
  }
}
