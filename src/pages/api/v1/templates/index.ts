import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { createTemplate, listTemplates } from '#domain/templates.ts';
import { templateJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () =>
  handleApi(async () => json({ templates: (await listTemplates(getDb())).map(templateJson) }));

export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    return json({ template: templateJson(await createTemplate(getDb(), await readJsonObject(request))) }, 201);
  });
