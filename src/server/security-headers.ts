// Headers every response carries, set by the front server before anything else answers (cached
// pages, static files, Astro, errors). Candor's pages load scripts only from its own origin, so
// the policy needs no 'unsafe-inline' for scripts; only the iframe widget may be framed by others.
import type { OutgoingHttpHeaders } from 'node:http';

const EMBEDDABLE_PATHS = new Set(['/widget']);

function contentSecurityPolicy(frameAncestors: string, https: boolean): string {
  // default-src covers connect-src (fetch, EventSource) and font-src; script-src is spelled out
  // because it is the directive that matters most.
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Styles are inlined into each page by the build, and SVG bars carry style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export class SecurityHeaders {
  readonly #framed: OutgoingHttpHeaders;
  readonly #unframed: OutgoingHttpHeaders;

  constructor(publicUrlIsHttps: boolean) {
    const common: OutgoingHttpHeaders = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      ...(publicUrlIsHttps ? { 'strict-transport-security': 'max-age=31536000' } : {}),
    };
    this.#framed = { ...common, 'content-security-policy': contentSecurityPolicy('*', publicUrlIsHttps) };
    this.#unframed = {
      ...common,
      'content-security-policy': contentSecurityPolicy("'none'", publicUrlIsHttps),
      // For browsers that predate frame-ancestors.
      'x-frame-options': 'DENY',
    };
  }

  /** The headers for a response to `pathname` (routed, without the query). */
  for(pathname: string): OutgoingHttpHeaders {
    return EMBEDDABLE_PATHS.has(pathname) ? this.#framed : this.#unframed;
  }
}
