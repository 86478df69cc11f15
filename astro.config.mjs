// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// Middleware mode: src/server/main.ts is the real HTTP server. It serves the public read path
// from its own cache and hands everything else to Astro's handler.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  build: { inlineStylesheets: 'always' },
  security: { checkOrigin: true },
  devToolbar: { enabled: false },
  vite: { build: { sourcemap: false } },
});
