// The most a Node process can do for a cached answer: a bare node:net server that answers every
// request with bytes it already holds (the answer Candor sent for the same path and encoding,
// status line, headers and body). No cache, no checks, one lookup per request. The page bench runs
// it beside nginx and Candor, so a gap to nginx can be told apart: above this floor it is Candor's,
// at the floor it is Node's (for a large body, the kernel copying it from memory where nginx hands
// the file to sendfile).
//
// Run as a child process (the bench blocks on wrk): `node bench/node-floor.ts ANSWERS.json PORT`,
// where ANSWERS.json maps "<target> <gzip|plain>" to a file holding the whole answer.
import net from 'node:net';
import { readFileSync } from 'node:fs';

const [answersFile, port] = process.argv.slice(2);
const answers = new Map<string, Buffer>(
  Object.entries(JSON.parse(readFileSync(answersFile, 'utf8')) as Record<string, string>).map(([key, file]) => [
    key,
    readFileSync(file),
  ]),
);
const NOT_FOUND = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (chunk: Buffer) => {
    socket.cork();
    // wrk sends whole heads in one read; a split head is not this server's concern.
    for (let at = 0, end; (end = chunk.indexOf('\r\n\r\n', at, 'latin1')) !== -1; at = end + 4) {
      const head = chunk.toString('latin1', at, end);
      const target = head.slice(head.indexOf(' ') + 1, head.indexOf(' HTTP/'));
      const encoding = /accept-encoding:[^\r]*gzip/i.test(head) ? 'gzip' : 'plain';
      socket.write(answers.get(`${target} ${encoding}`) ?? NOT_FOUND);
    }
    socket.uncork();
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(port), '127.0.0.1', () => process.send?.('listening'));
