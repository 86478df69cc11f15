// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// Middleware mode: src/server/main.ts is the real HTTP server. It serves the public read path
// from its own cache and hands everything else to Astro's handler.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  build: { inlineStylesheets: 'always' },
  // Astro's origin check would also reject bearer-token API calls sent without a JSON content
  // type; src/middleware.ts checks the origin of cookie-authenticated writes instead.
  // allowedDomains stays empty on purpose: Astro then never takes a host, protocol or client
  // address from X-Forwarded-* headers. The front server alone decides which Host values are
  // answered (src/server/allowed-hosts.ts), and links come only from PUBLIC_URL
  // (src/domain/public-url.ts).
  security: { checkOrigin: false, allowedDomains: [] },
  devToolbar: { enabled: false },
  // Scripts are never inlined: the Content-Security-Policy (src/server/security-headers.ts) allows
  // scripts from Candor's own origin only.
  vite: { build: { sourcemap: false, assetsInlineLimit: 0 } },
});
