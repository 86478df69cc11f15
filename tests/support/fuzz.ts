// Building blocks for tests/fuzz-server.test.ts: a seeded random source, the bad values a field
// can hold, bodies broken the ways clients and attackers break them, a runner that collects every
// answer that breaks the rules, and the row count of every table (to prove nothing was written).
import { createClient } from '@libsql/client';

/** mulberry32: a tiny seeded generator, so every run sends exactly the same requests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** C0 controls other than tab, LF and CR, and DEL: never part of text a person typed. */
export const CONTROL_CHARACTERS = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)),
  '\u007f',
];

/** Longer than any text field Candor accepts (the longest take 20,000 characters). */
export const LONG = 'x'.repeat(50_000);

/** Ways to write something that is not an id, most of them numerically equal to a real one. */
export function nonCanonicalIds(id: number): string[] {
  return [
    ...new Set([
      ` ${id}`,
      `${id} `,
      `0${id}`,
      `+${id}`,
      `${id}.0`,
      `${id}e0`,
      '0x10',
      '1e3',
      '1.0',
      '-1',
      '0',
      '9999999999999999999',
    ]),
  ];
}

/** The same refusals must hold for a JSON number that cannot be an id. */
export const NON_ID_NUMBERS = [0, -1, 1.5, 1e20];

/** One value of each JSON type, to send where the field wants another. */
export const WRONG_TYPES: Record<string, unknown> = {
  number: 12345,
  string: 'fuzz',
  boolean: true,
  null: null,
  array: ['fuzz', 1],
  object: { nested: { deeper: ['fuzz'] } },
};

export const jsonType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** The JSON types a JSON Schema accepts, or null when it accepts anything. */
export function schemaTypes(schema: Record<string, any> | undefined): Set<string> | null {
  if (!schema) return null;
  if (schema.anyOf || schema.oneOf) {
    const all = new Set<string>();
    for (const part of schema.anyOf ?? schema.oneOf) {
      const types = schemaTypes(part);
      if (types === null) return null;
      for (const t of types) all.add(t);
    }
    return all;
  }
  if ('const' in schema) return new Set([jsonType(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonType));
  if (!schema.type) return null;
  return new Set(
    (Array.isArray(schema.type) ? schema.type : [schema.type]).map((t: string) => (t === 'integer' ? 'number' : t)),
  );
}

export type FieldPath = (string | number)[];

/** Every primitive in a JSON value, with its path; empty arrays and objects count as leaves. */
export function leaves(value: unknown, path: FieldPath = []): { path: FieldPath; value: unknown }[] {
  if (Array.isArray(value) && value.length) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value && typeof value === 'object' && Object.keys(value).length) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [{ path, value }];
}

/** A deep copy of `body` with the value at `path` replaced. */
export function withValue(body: unknown, path: FieldPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(body) ? [...body] : { ...(body as object) };
  copy[path[0]] = withValue(copy[path[0]], path.slice(1), value);
  return copy;
}

/** A deep copy of `body` with the object at `path` holding its key `from` under `to` instead. */
export function withKey(body: unknown, path: FieldPath, from: string, to: string): unknown {
  if (path.length === 0) {
    const entries = Object.entries(body as object).map(([k, v]) => [k === from ? to : k, v]);
    return Object.fromEntries(entries);
  }
  const copy: any = Array.isArray(body) ? [...body] : { ...(body as object) };
  copy[path[0]] = withKey(copy[path[0]], path.slice(1), from, to);
  return copy;
}

/** `application/x-www-form-urlencoded` bytes for string fields, as a browser encodes them. */
export const urlEncoded = (fields: [string, string][]) => Buffer.from(new URLSearchParams(fields).toString());

/** A `multipart/form-data` body; a field may carry raw bytes (to send invalid UTF-8). */
export function multipart(fields: [string, string | Buffer][], boundary: string): Buffer {
  const parts = fields.map(([name, value]) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    ]),
  );
  return Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]);
}

/** The row count of every table in a Candor database file. */
export async function tableCounts(dbFile: string): Promise<Record<string, number>> {
  const client = createClient({ url: `file:${dbFile}` });
  try {
    const tables = await client.execute(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    );
    const counts: Record<string, number> = {};
    for (const row of tables.rows) {
      const name = String(row.name);
      counts[name] = Number((await client.execute(`select count(*) as n from "${name}"`)).rows[0].n);
    }
    return counts;
  } finally {
    client.close();
  }
}

/** Tables whose row count differs, as "table: before → after". */
export function changedCounts(
  before: Record<string, number>,
  after: Record<string, number>,
  except: readonly string[] = [],
): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((t) => !except.includes(t) && before[t] !== after[t])
    .map((t) => `${t}: ${before[t]} → ${after[t]}`);
}

/** One value from a Candor database file (test fixtures read ids and tokens this way). */
export async function dbValue(dbFile: string, sql: string): Promise<string> {
  const client = createClient({ url: `file:${dbFile}` });
  try {
    const row = (await client.execute(sql)).rows[0];
    if (!row) throw new Error(`no row for ${sql}`);
    return String(row[0]);
  } finally {
    client.close();
  }
}

export interface FuzzRequest {
  /** What is wrong with the request, e.g. "NUL in title". */
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Bytes, so fetch adds no content type of its own. */
  body?: Buffer;
  /** The answer the request must get: a status, or '4xx' for any client error. */
  expect: number | '4xx';
}

/** Sends requests a few at a time and keeps every answer that breaks the rules. */
export class Fuzzer {
  sent = 0;
  readonly serverErrors: string[] = [];
  readonly silentRefusals: string[] = [];
  readonly unexpected: string[] = [];
  readonly statuses = new Map<number, number>();

  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  async run(requests: FuzzRequest[], concurrency = 4): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < requests.length) await this.send(requests[next++]);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  private async send(r: FuzzRequest): Promise<void> {
    const response = await fetch(this.base + r.path, {
      method: r.method,
      headers: { ...this.headers, ...r.headers },
      body: r.body && new Uint8Array(r.body),
      redirect: 'manual',
    });
    const text = await response.text();
    this.sent++;
    this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
    const line = `${r.method} ${r.path.length > 120 ? `${r.path.slice(0, 120)}…` : r.path} [${r.label}] → ${response.status}: ${JSON.stringify(text.slice(0, 200))}`;
    if (response.status >= 500) this.serverErrors.push(line);
    else if (response.status >= 400 && !text.trim()) this.silentRefusals.push(line);
    if (r.expect === '4xx' ? response.status < 400 || response.status >= 500 : response.status !== r.expect)
      this.unexpected.push(`expected ${r.expect}: ${line}`);
  }

  /** Everything that broke a rule, for the failure message. */
  report(): string {
    const section = (title: string, lines: string[]) =>
      lines.length
        ? [
            `${title} (${lines.length}):`,
            ...lines.slice(0, 80),
            ...(lines.length > 80 ? [`… and ${lines.length - 80} more`] : []),
          ]
        : [];
    return [
      `${this.sent} requests; statuses ${[...this.statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(', ')}`,
      ...section('answers >= 500', this.serverErrors),
      ...section('4xx without a message', this.silentRefusals),
      ...section('not the expected answer', this.unexpected),
    ].join('\n');
  }
}
