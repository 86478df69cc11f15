// One database handle per process. DATABASE_URL picks the database: a local libSQL file by
// default, or a libSQL server / Turso (libsql://, http(s)://) for several instances.
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index.ts';
import { serializeWrites } from './write-lock.ts';

export type Db = LibSQLDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or an open transaction: domain writes accept both so they compose. */
export type DbOrTx = Db | Tx;

export const DEFAULT_DATABASE_URL = 'file:data/candor.db';

export function databaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** The local file behind a file: URL, or null for a remote database. */
export function databaseFilePath(url = databaseUrl()): string | null {
  if (!url.startsWith('file:')) return null;
  const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  return path.split('?')[0];
}

interface Handle {
  url: string;
  client: Client;
  db: Db;
}

let handle: Handle | undefined;

export function openClient(url = databaseUrl()): Client {
  const client = createClient({
    url,
    authToken: process.env.DATABASE_AUTH_TOKEN,
    syncUrl: process.env.DATABASE_SYNC_URL,
    // Several instances may write one file; wait for a lock instead of failing at once.
    timeout: 5000,
  });
  return url.startsWith('file:') ? serializeWrites(client) : client;
}

export function getHandle(): Handle {
  const url = databaseUrl();
  if (!handle || handle.url !== url) {
    const client = openClient(url);
    handle = { url, client, db: drizzle(client, { schema }) };
  }
  return handle;
}

export function getDb(): Db {
  return getHandle().db;
}

export function closeDb(): void {
  handle?.client.close();
  handle = undefined;
}
