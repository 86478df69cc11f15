// Request bodies are read by the front server, up to a limit, before Astro sees them: a body that
// says it is too large is refused before a byte of it is read, one that grows too large while it
// streams in is cut off there. Astro then reads the buffered bytes (`req.body`).
import type { IncomingMessage } from 'node:http';
import { isStaffPath } from '../web/paths.ts';

/** Staff areas (admin forms, the API, alert webhooks) may send more than the public forms. */
export interface BodyLimits {
  staff: number;
  public: number;
}

export function bodyLimits(env: NodeJS.ProcessEnv = process.env): BodyLimits {
  const staff = Number(env.CANDOR_MAX_BODY_BYTES) || 1024 * 1024;
  return { staff, public: Math.min(staff, 64 * 1024) };
}

export function limitFor(limits: BodyLimits, routedPath: string): number {
  return isStaffPath(routedPath) ? limits.staff : limits.public;
}

export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`The request body is larger than this address accepts (${limit} bytes).`);
    this.limit = limit;
  }
}

/** Reads the whole body, or throws BodyTooLargeError as soon as it is known to exceed `limit`. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req) {
    received += (chunk as Buffer).length;
    if (received > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
