// The private-site gate for what the front server answers itself (issue 20): live updates
// (/events), live fragments (/live/…) and the MCP endpoint's public tools never reach Astro, so
// src/web/middleware/viewer.ts cannot turn the public away there. The switch is the cache gate's
// (viewer-gate.ts reads it at start and at every structure change, settings changes included), so
// with the site public this costs one boolean test per request; with it private, each of these
// requests admits its viewer.
import type { IncomingMessage } from 'node:http';
import type { Db } from '../db/client.ts';
import { admit } from '../domain/audiences/admission.ts';
import { isPublicViewer, VIEWER_COOKIE } from '../domain/audiences/viewer.ts';
import { clientIpFrom } from '../web/client-ip.ts';
import { privateSiteRule } from '../web/private-site.ts';
import type { ViewerGate } from './viewer-gate.ts';

const COOKIE = new RegExp(`(?:^|;\\s*)${VIEWER_COOKIE}=([^;]*)`);

export class PrivateSiteGate {
  readonly #db: Db;
  readonly #gate: ViewerGate;

  constructor(db: Db, gate: ViewerGate) {
    this.#db = db;
    this.#gate = gate;
  }

  /** Whether the whole-site switch is on, as last read. */
  get on(): boolean {
    return this.#gate.privateSite;
  }

  /**
   * Whether `req` for `path` must be refused: the site is private, the path is a machine surface
   * and the request admits no viewer (cookie or allowed address). A staff MCP call (bearer token)
   * passes: the endpoint checks its token itself.
   */
  async refuses(req: IncomingMessage, path: string): Promise<boolean> {
    if (!this.on || privateSiteRule(path) !== 'machine') return false;
    if (req.headers.authorization && path === '/mcp') return false;
    const token = COOKIE.exec(req.headers.cookie ?? '')?.[1] || null;
    const { viewer } = await admit(this.#db, {
      token: token ? decodeURIComponent(token) : null,
      ip: clientIpFrom(req.headers['x-forwarded-for'], req.socket.remoteAddress),
    });
    return isPublicViewer(viewer);
  }
}
