// A free loopback port for a helper server (sqld, nginx) that cannot be told to pick its own.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}
