// A local stand-in for chat platforms' incoming webhooks: records every POST with its time and
// answers as each platform does (Slack 200 "ok", Teams 202, Discord 204, Google Chat 200 JSON),
// or with answers queued for a path (a 429 with Retry-After, a 404 for a deleted webhook).
import http from 'node:http';

export interface ChatPost {
  path: string;
  at: number;
  body: string;
  json: any;
  status: number;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const PLATFORM_ANSWERS: Record<string, Answer> = {
  slack: { status: 200, body: 'ok' },
  teams: { status: 202 },
  discord: { status: 204 },
  google_chat: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"name":"spaces/x/messages/y"}' },
};

export class ChatReceiver {
  readonly posts: ChatPost[] = [];
  /** Answers to give to a path before the platform's usual one. */
  readonly queued = new Map<string, Answer[]>();
  url = '';
  readonly #server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const platform = req.url!.split('/')[1];
    const answer = this.queued.get(req.url!)?.shift() ?? PLATFORM_ANSWERS[platform] ?? { status: 200 };
    this.posts.push({ path: req.url!, at: Date.now(), body, json: JSON.parse(body), status: answer.status });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body ?? '');
  });

  to(path: string): ChatPost[] {
    return this.posts.filter((p) => p.path === path);
  }

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
