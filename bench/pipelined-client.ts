// A minimal pipelined HTTP/1.1 GET client for the crowd benchmark, in the spirit of wrk: a few
// keep-alive sockets, each with up to `depth` requests in flight, answers read by Content-Length.
// It reads only what Candor's cached answers send (a status line, headers with Content-Length, a
// body; no chunked encoding), so the benchmark's own client costs little of the two cores it
// shares with the server and the figures are the server's. Any other answer is an error.
import { connect, type Socket } from 'node:net';

export interface Answer {
  status: number;
  gzip: boolean;
  body: Buffer;
}

interface Pending {
  path: string;
  gzip: boolean;
  ok: (answer: Answer) => void;
}

class Connection {
  readonly inflight: Pending[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  readonly #socket: Socket;
  readonly #host: string;

  constructor(host: string, port: number, onFree: () => void, onClose: (unanswered: Pending[]) => void) {
    this.#host = `${host}:${port}`;
    this.#socket = connect(port, host);
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      this.#drain();
      onFree();
    });
    // A server may end a keep-alive connection (nginx after keepalive_requests): what it did not
    // answer is sent again on a new one.
    this.#socket.on('error', () => undefined);
    this.#socket.on('close', () => onClose(this.inflight.splice(0)));
  }

  send(pending: Pending): void {
    this.inflight.push(pending);
    this.#socket.write(
      `GET ${pending.path} HTTP/1.1\r\nHost: ${this.#host}\r\n${pending.gzip ? 'Accept-Encoding: gzip\r\n' : ''}\r\n`,
    );
  }

  #drain(): void {
    for (;;) {
      const headEnd = this.#buffer.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const head = this.#buffer.toString('latin1', 0, headEnd);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!length) throw new Error(`an answer without Content-Length:\n${head}`);
      const end = headEnd + 4 + Number(length[1]);
      if (this.#buffer.length < end) return;
      const pending = this.inflight.shift()!;
      pending.ok({
        status: Number(head.slice(9, 12)),
        gzip: /\r\ncontent-encoding: *gzip/i.test(head),
        body: this.#buffer.subarray(headEnd + 4, end),
      });
      this.#buffer = this.#buffer.subarray(end);
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

export class PipelinedClient {
  readonly #connections: Connection[] = [];
  readonly #queue: Pending[] = [];
  readonly #depth: number;
  #closed = false;

  constructor(origin: string, connections: number, depth: number) {
    const url = new URL(origin);
    this.#depth = depth;
    const open = (): Connection => {
      const connection: Connection = new Connection(
        url.hostname,
        Number(url.port),
        () => this.#pump(),
        (unanswered) => {
          if (this.#closed) return;
          this.#connections[this.#connections.indexOf(connection)] = open();
          this.#queue.unshift(...unanswered);
          this.#pump();
        },
      );
      return connection;
    };
    for (let i = 0; i < connections; i++) this.#connections.push(open());
  }

  get(path: string, gzip: boolean): Promise<Answer> {
    return new Promise((ok) => {
      this.#queue.push({ path, gzip, ok });
      this.#pump();
    });
  }

  #pump(): void {
    for (const connection of this.#connections) {
      while (this.#queue.length && connection.inflight.length < this.#depth) connection.send(this.#queue.shift()!);
      if (!this.#queue.length) return;
    }
  }

  close(): void {
    this.#closed = true;
    for (const connection of this.#connections) connection.close();
  }
}
