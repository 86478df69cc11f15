// One worker process of the crowd benchmark: holds `count` open status pages' event streams, each
// on its own connection, and behaves as the page's script does: on a change it fetches each
// fragment the event names whose version is newer than what it shows, asking for gzip as browsers
// do. Fragment fetches share a pool of keep-alive connections per worker (as viewers behind one
// proxy or CDN edge would): a second connection per viewer would pass the machine's 20,000 open
// files per process. The pool pipelines like wrk (pipelined-client.ts), so the benchmark's own
// client, on the same two cores, costs as little as it can and the figures are the server's.
// Reports, per viewer, when the event arrived, when its content was fresh (the status fragment,
// fetched, contains `marker`) and when the bars were too, as absolute times in ms.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { PipelinedClient } from './pipelined-client.ts';

interface Start {
  url: string;
  count: number;
  marker: string;
}

interface LiveState {
  v: number;
  status: string;
  uptime: string;
}

let pool: PipelinedClient;

/** The body as bytes; decompressed only when `decode` (the status fragment is read, the bars are not). */
async function get(path: string, decode: boolean): Promise<Buffer> {
  const answer = await pool.get(path, true);
  if (answer.status !== 200) throw new Error(`${path}: ${answer.status}`);
  return decode && answer.gzip ? gunzipSync(answer.body) : answer.body;
}

const versionOf = (url: string) => Number(url.split('/')[2]);

function viewer(
  start: Start,
  onReady: () => void,
  onFresh: (event: number, fresh: number, complete: number) => void,
): http.ClientRequest {
  let buffer = '';
  const applied = { status: 0, uptime: 0 };
  let ready = false;
  const req = http.get(start.url + '/events', { agent: false }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (\w+)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!data) continue;
        const state = JSON.parse(data) as LiveState;
        if (type === 'hello' && !ready) {
          ready = true;
          applied.status = versionOf(state.status);
          applied.uptime = versionOf(state.uptime);
          onReady();
        } else if (type === 'change') {
          const eventAt = Date.now();
          void (async () => {
            // As the page does: the status fragment first (what readers wait for), then the bars.
            let freshAt = 0;
            for (const name of ['status', 'uptime'] as const) {
              if (versionOf(state[name]) <= applied[name]) continue;
              const body = await get(state[name], name === 'status');
              applied[name] = versionOf(state[name]);
              if (name === 'status' && body.includes(start.marker)) freshAt = Date.now();
            }
            if (freshAt) onFresh(eventAt, freshAt, Date.now());
          })().catch((error: unknown) => process.send!({ error: String(error) }));
        }
      }
    });
  });
  req.on('error', (error) => process.send!({ error: String(error) }));
  return req;
}

process.once('message', (start: Start) => {
  pool = new PipelinedClient(start.url, 16, 16);
  let ready = 0;
  const events: number[] = [];
  const fresh: number[] = [];
  const complete: number[] = [];
  const opening = () => {
    for (let i = 0; i < start.count; i++) {
      viewer(
        start,
        () => {
          if (++ready === start.count) process.send!({ ready });
        },
        (event, statusAt, allAt) => {
          events.push(event);
          fresh.push(statusAt);
          complete.push(allAt);
          if (fresh.length === start.count) process.send!({ events, fresh, complete });
          else if (fresh.length % 500 === 0) process.send!({ progress: fresh.length });
        },
      );
    }
  };
  opening();
});
