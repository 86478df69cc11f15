import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { loadGlossary, replaceGlossary } from '#domain/rca/glossary-store.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () => handleApi(async () => json({ glossary: await loadGlossary(getDb()) }));

export const PUT: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'settings:write');
    if (denied) return denied;
    return json({ glossary: await replaceGlossary(getDb(), await readJsonObject(request)) });
  });
