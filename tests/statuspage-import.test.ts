// The importer's parts on their own: the client against a local HTTP server (waits asked for by
// 429s and backoff after dropped connections, through an injected sleep, so no real time passes),
// reading odd Statuspage data without crashing, the text sanitiser, and the derived history.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { retryAfterMs, StatuspageClient, SourceError } from '../src/domain/import/statuspage-client.ts';
import { readComponents, readIncident, readMaintenance, type Notes } from '../src/domain/import/statuspage-map.ts';
import { readSubscriber } from '../src/domain/import/statuspage-subscribers.ts';
import { deriveChanges } from '../src/domain/import/import-history.ts';
import { sanitizeImportedText } from '../src/domain/markdown.ts';

let server: http.Server;
let base = '';
const script: Record<string, ((res: http.ServerResponse) => void)[]> = {};
const served: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    served.push(req.url!);
    const next = script[new URL(req.url!, 'http://x').pathname]?.shift();
    if (next) return next(res);
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const json = (body: unknown) => (res: http.ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const limited = (retryAfter: string) => (res: http.ServerResponse) =>
  res.writeHead(429, { 'retry-after': retryAfter }).end('{"error":"Rate limit exceeded"}');
const dropped = (res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
  res.write('{"comp');
  setTimeout(() => res.socket?.destroy(), 5);
};

function client(waits: number[], attempts = 4) {
  return new StatuspageClient({ attempts, backoffMs: 500, sleep: async (ms) => void waits.push(ms) });
}

describe('the Statuspage client', () => {
  test('waits as long as a 429 asks (seconds or a date), then reads the answer', async () => {
    script['/a'] = [limited('120'), limited(new Date(Date.now() + 30_000).toUTCString()), json({ ok: 1 })];
    const waits: number[] = [];
    expect(await client(waits).getJson(`${base}/a`)).toEqual({ ok: 1 });
    expect(waits[0]).toBe(120_000);
    expect(waits[1]).toBeGreaterThan(25_000);
    expect(waits[1]).toBeLessThanOrEqual(30_000);
    expect(retryAfterMs(null)).toBe(1_000);
    expect(retryAfterMs('soon')).toBe(1_000);
  });

  test('a dropped connection is asked for again with growing pauses, and given up in words', async () => {
    script['/b'] = [dropped, dropped, json({ ok: 2 })];
    const waits: number[] = [];
    expect(await client(waits).getJson(`${base}/b`)).toEqual({ ok: 2 });
    expect(waits).toEqual([500, 1_000]);
    script['/c'] = [dropped, dropped, dropped];
    const again: number[] = [];
    await expect(client(again, 3).getJson(`${base}/c`)).rejects.toThrow(
      new RegExp(`^Could not read ${base}/c after 3 attempts`),
    );
    expect(again).toEqual([500, 1_000]);
  });

  test('pages until a short page, resuming a failed page without asking for the earlier ones again', async () => {
    const items = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ id: from + i }));
    script['/list'] = [json(items(2, 0)), dropped, json(items(2, 2)), json(items(1, 4))];
    served.length = 0;
    const all = await client([]).getAllPages(`${base}/list`, {}, { perPage: 2, sizeParam: 'limit', firstPage: 0 });
    expect(all.map((i) => (i as { id: number }).id)).toEqual([0, 1, 2, 3, 4]);
    expect(served).toEqual([
      '/list?page=0&limit=2',
      '/list?page=1&limit=2',
      '/list?page=1&limit=2',
      '/list?page=2&limit=2',
    ]);
  });

  test('refusals are errors a person can act on, not retried', async () => {
    script['/d'] = [(res) => res.writeHead(401).end('{"error":"Could not authenticate"}')];
    const waits: number[] = [];
    const failure = client(waits).getJson(`${base}/d`);
    await expect(failure).rejects.toBeInstanceOf(SourceError);
    await expect(failure).rejects.toThrow(/refused the API key \(401\)/);
    expect(waits).toEqual([]);
  });
});

describe('reading Statuspage data', () => {
  const notes = (): Notes => ({ skipped: [], warnings: [] });

  test('garbage anywhere is reported, never thrown', () => {
    const junk: unknown[] = [null, 3, 'x', [], {}, { id: null }, { id: 'i1', name: null }, { id: 'i2', name: 'N' }];
    const n = notes();
    for (const item of junk) {
      expect(() => readIncident(item, n)).not.toThrow();
      expect(() => readMaintenance(item, n, Date.now())).not.toThrow();
      expect(() => readSubscriber(item, 'active', n)).not.toThrow();
    }
    expect(() => readComponents(junk, null, n)).not.toThrow();
    expect(n.skipped.length).toBeGreaterThan(0);
  });

  test('unknown statuses are replaced or left out with a warning that says which', () => {
    const n = notes();
    const incident = readIncident(
      {
        id: 'i9',
        name: 'Odd',
        status: 'on_fire',
        impact: 'apocalyptic',
        created_at: '2026-01-01T00:00:00Z',
        incident_updates: [
          {
            id: 'u1',
            status: 'investigating',
            body: 'Looking.',
            display_at: '2026-01-01T00:00:00Z',
            affected_components: [{ code: 'c1', old_status: 'operational', new_status: 'melting' }],
          },
          { id: 'u2', status: 'escalated', body: 'Worse.', display_at: '2026-01-01T01:00:00Z' },
          { id: 'u3', status: 'monitoring', body: null, display_at: null, created_at: null },
        ],
      },
      n,
    )!;
    expect(incident.status).toBe('investigating');
    expect(incident.impact).toBe('none');
    expect(incident.updates.map((u) => u.sourceId)).toEqual(['u1']);
    expect(incident.updates[0].affected).toEqual([]);
    const said = n.warnings.map((w) => w.message).join('\n');
    expect(said).toMatch(/status "on_fire" is not one Candor knows; taken from its last update \(investigating\)/);
    expect(said).toMatch(/impact "apocalyptic" is not one Candor knows; taken as none/);
    expect(said).toMatch(/update u2 has status "escalated"/);
    expect(said).toMatch(/update u3 has no time/);
    expect(said).toMatch(/component c1 to "melting"/);
    const { components } = readComponents([{ id: 'c1', name: 'API', status: 'sunsetting' }], null, n);
    expect(components[0].status).toBe('operational');
    expect(n.warnings.at(-1)!.message).toMatch(
      /component status "sunsetting" is not one Candor knows; taken as operational/,
    );
  });
});

describe('imported text', () => {
  test('keeps Markdown and plain text as written and drops what could run', () => {
    // A "<" that starts no tag stays escaped (it renders as "<"); the rest is as written.
    expect(sanitizeImportedText('> quoted & "kept"\n\n* a <-> b')).toBe('> quoted & "kept"\n\n* a &lt;-> b');
    expect(sanitizeImportedText('Plain text, no markup.')).toBe('Plain text, no markup.');
    expect(sanitizeImportedText('<strong>Fixed</strong><script>steal()</script><img src=x onerror=alert(1)>')).toBe(
      '<strong>Fixed</strong>',
    );
    expect(sanitizeImportedText('<a href="javascript:alert(1)">x</a> <a href="https://e.example">ok</a>')).toBe(
      '<a>x</a> <a href="https://e.example">ok</a>',
    );
  });
});

describe('history derived from updates', () => {
  const held = (
    holder: string,
    at: number,
    status: 'major_outage' | 'partial_outage' | 'operational',
    end: number | null,
  ) => ({
    componentId: 1,
    holder,
    at,
    status,
    end,
  });

  test('the worst state held wins; resolving releases what an incident held', () => {
    const changes = deriveChanges([
      held('incident:1', 100, 'partial_outage', 400),
      held('incident:2', 200, 'major_outage', 300),
      held('incident:3', 500, 'major_outage', null),
      held('incident:3', 600, 'operational', null),
    ]);
    expect(changes).toEqual([
      { at: 100, status: 'partial_outage', incidentId: 1 },
      { at: 200, status: 'major_outage', incidentId: 2 },
      { at: 300, status: 'partial_outage', incidentId: 1 },
      { at: 400, status: 'operational', incidentId: null },
      { at: 500, status: 'major_outage', incidentId: 3 },
      { at: 600, status: 'operational', incidentId: null },
    ]);
  });
});
