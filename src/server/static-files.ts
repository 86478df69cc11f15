// Serves Astro's client build (dist/client: hashed /_astro assets and public/ files) from memory.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

export class StaticFiles {
  #files = new Map<string, StaticFile>();

  constructor(root: string) {
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else {
          const url = '/' + relative(root, full).split(sep).join('/');
          const body = readFileSync(full);
          this.#files.set(url, {
            body,
            type: TYPES[extname(full)] ?? 'application/octet-stream',
            etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
            // Hashed build assets never change; other public files may.
            cacheControl: url.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
          });
        }
      }
    };
    walk(root);
  }

  has(pathname: string): boolean {
    return this.#files.has(pathname);
  }

  /** Answers the request when it names a static file; returns false otherwise. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = this.#files.get(pathname);
    if (!file) return false;
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, { etag: file.etag, 'cache-control': file.cacheControl });
      res.end();
      return true;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      etag: file.etag,
      'cache-control': file.cacheControl,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  }
}
