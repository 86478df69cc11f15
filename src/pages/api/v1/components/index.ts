import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { createComponent, listComponents } from '#domain/components.ts';
import { componentJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () =>
  handleApi(async () => json({ components: (await listComponents(getDb())).map(componentJson) }));

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    return json({ component: componentJson(await createComponent(getDb(), await readJsonObject(request))) }, 201);
  });
