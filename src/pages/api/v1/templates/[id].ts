import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { deleteTemplate, getTemplate, updateTemplate } from '#domain/templates.ts';
import { templateJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = ({ params }) =>
  handleApi(async () => json({ template: templateJson(await getTemplate(getDb(), parseId(params.id, 'Template'))) }));

export const PUT: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    return json({
      template: templateJson(
        await updateTemplate(getDb(), parseId(params.id, 'Template'), await readJsonObject(request)),
      ),
    });
  });

export const DELETE: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'incidents:write');
    if (denied) return denied;
    await deleteTemplate(getDb(), parseId(params.id, 'Template'));
    return new Response(null, { status: 204 });
  });
