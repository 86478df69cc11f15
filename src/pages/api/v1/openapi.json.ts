// The OpenAPI 3.1 document of the automation API (readable without a token).
import type { APIRoute } from 'astro';
import { openApiDocument } from '#domain/openapi.ts';
import { publicUrl } from '#domain/public-url.ts';

export const GET: APIRoute = () =>
  new Response(JSON.stringify(openApiDocument(publicUrl())), {
    headers: { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*' },
  });
