// The fast front on its own, in front of a bare node:http server: a request whose answer cannot be
// judged (the caller threw) goes to node:http rather than taking the process down.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { FastFront } from '../src/server/fast-front.ts';
import { RawConnection } from './support/raw-http.ts';

test('a request the caller cannot judge is answered by node:http', async () => {
  const http = createServer((_req, res) => res.end('from node:http'));
  let asked = 0;
  const fast = new FastFront({
    http,
    answer: () => {
      asked++;
      throw new Error('cannot judge this one');
    },
    keepAliveMs: 5000,
  });
  await new Promise<void>((ok) => fast.server.listen(0, '127.0.0.1', ok));
  http.emit('listening');
  const connection = await RawConnection.open((fast.server.address() as AddressInfo).port);
  connection.write('GET / HTTP/1.1\r\nHost: example\r\n\r\nGET /again HTTP/1.1\r\nHost: example\r\n\r\n');
  expect((await connection.answer()).body.toString()).toBe('from node:http');
  expect((await connection.answer()).body.toString()).toBe('from node:http');
  expect(asked).toBe(1);
  expect(fast.counts).toEqual({ answered: 0, handedOff: 1 });
  connection.close();
  fast.destroyAll();
  http.closeAllConnections();
  http.close();
  await new Promise((ok) => fast.server.close(ok));
});
