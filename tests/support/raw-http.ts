// A raw HTTP/1.1 connection for tests that must control the bytes: pipelined requests, heads
// split across packets, malformed input. Answers are parsed as they arrive: Content-Length or
// chunked bodies, none for HEAD, 1xx, 204 and 304.
import net from 'node:net';

export interface RawAnswer {
  status: number;
  /** The head as sent, status line included. */
  head: string;
  headers: Record<string, string>;
  body: Buffer;
}

export class RawConnection {
  #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((ok, fail) => {
      const socket = net.connect(port, '127.0.0.1', () => ok(new RawConnection(socket)));
      socket.once('error', fail);
    });
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  write(bytes: string | Buffer): void {
    this.#socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  close(): void {
    this.#socket.destroy();
  }

  /** The next answer; `head` when it answers a HEAD request. Fails after `timeoutMs`. */
  async answer(head = false, timeoutMs = 5000): Promise<RawAnswer> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.#parse(head);
      if (parsed) return parsed;
      if (this.closed)
        throw new Error(`The connection closed; unparsed: ${JSON.stringify(this.#buffer.toString('latin1'))}`);
      if (Date.now() > until)
        throw new Error(`No answer in ${timeoutMs} ms; got ${JSON.stringify(this.#buffer.toString('latin1'))}`);
      await new Promise<void>((ok) => {
        this.#waiters.push(ok);
        setTimeout(ok, 50);
      });
    }
  }

  /** Everything received so far once it matches `pattern` (for streams that never end). */
  async until(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const text = this.#buffer.toString('latin1');
      if (pattern.test(text)) return text;
      if (this.closed || Date.now() > until) throw new Error(`Never saw ${pattern}; got ${JSON.stringify(text)}`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(timeoutMs = 5000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) await new Promise((ok) => setTimeout(ok, 20));
    return this.closed;
  }

  #parse(forHead: boolean): RawAnswer | null {
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const head = this.#buffer.toString('latin1', 0, end);
    const [statusLine, ...lines] = head.split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    let at = end + 4;
    let body = Buffer.alloc(0);
    if (!(forHead || status === 304 || status === 204 || status < 200)) {
      if (headers['transfer-encoding'] === 'chunked') {
        const parts: Buffer[] = [];
        for (;;) {
          const lineEnd = this.#buffer.indexOf('\r\n', at);
          if (lineEnd === -1) return null;
          const size = parseInt(this.#buffer.toString('latin1', at, lineEnd), 16);
          if (this.#buffer.length < lineEnd + 2 + size + 2) return null;
          parts.push(this.#buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
          at = lineEnd + 2 + size + 2;
          if (size === 0) break;
        }
        body = Buffer.concat(parts);
      } else {
        const length = Number(headers['content-length'] ?? 0);
        if (this.#buffer.length < at + length) return null;
        body = this.#buffer.subarray(at, at + length);
        at += length;
      }
    }
    this.#buffer = this.#buffer.subarray(at);
    return { status, head, headers, body: Buffer.from(body) };
  }
}
