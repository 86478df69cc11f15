// /brand/<hash>.<ext>: an uploaded logo or favicon. The name is the content's hash, so an answer
// never changes: the front server caches it and browsers and CDNs may keep it for a year.
import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { loadBrandAsset } from '#domain/brand-assets.ts';

export const GET: APIRoute = async ({ params }) => {
  const asset = await loadBrandAsset(getDb(), params.file ?? '');
  if (!asset)
    return new Response('There is no image at this address.', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  return new Response(new Uint8Array(asset.bytes), {
    headers: {
      'content-type': asset.contentType,
      // The front server replaces this with FRAGMENT_CACHE_CONTROL (the same) and adds the site's
      // Content-Security-Policy: an SVG opened on its own runs no inline script either.
      'cache-control': 'public, max-age=31536000, immutable',
    },
  });
};
