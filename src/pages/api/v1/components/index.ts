import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { componentAudienceMap } from '#domain/audiences/audience-reads.ts';
import { createComponent, listComponents } from '#domain/components.ts';
import { componentJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () =>
  handleApi(async () => {
    const [components, audiences] = await Promise.all([listComponents(getDb()), componentAudienceMap(getDb())]);
    return json({ components: components.map((c) => componentJson(c, audiences.get(c.id) ?? [])) });
  });

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    const component = await createComponent(getDb(), await readJsonObject(request));
    const audiences = await componentAudienceMap(getDb());
    return json({ component: componentJson(component, audiences.get(component.id) ?? []) }, 201);
  });
