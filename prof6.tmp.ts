import { createClient } from '@libsql/client';
import { startServer } from './tests/support/server.ts';
const file = process.argv[2];
const paths = process.argv.slice(3);
const server = await startServer({
  dbFile: file,
  env: { CANDOR_POLL_MS: '20', NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=/tmp/candor-prof' },
});
const w = createClient({ url: `file:${file}` });
for (const path of paths) {
  for (let i = 0; i < 40; i++) {
    await w.execute("INSERT INTO change_events (kind, subject) VALUES ('incident', '')");
    await new Promise((r) => setTimeout(r, 60));
    const res = await fetch(server.url + path);
    await res.arrayBuffer();
  }
}
await server.stop();
