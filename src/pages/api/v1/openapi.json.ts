// The OpenAPI 3.1 document of the automation API (readable without a token).
import type { APIRoute } from 'astro';
import { openApiDocument } from '#domain/openapi.ts';
import { messageContext } from '#web/message-context.ts';

export const GET: APIRoute = () =>
  new Response(JSON.stringify(openApiDocument(messageContext().publicUrl)), {
    headers: { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*' },
  });
