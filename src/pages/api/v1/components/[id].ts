import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { deleteComponent, getComponent, setComponentStatus, updateComponent } from '#domain/components.ts';
import { componentJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = ({ params }) =>
  handleApi(async () =>
    json({ component: componentJson(await getComponent(getDb(), parseId(params.id, 'Component'))) }),
  );

/** Sets the component's state: `{ "status": "partial_outage" }`. */
export const PATCH: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:status');
    if (denied) return denied;
    const id = parseId(params.id, 'Component');
    return json({ component: componentJson(await setComponentStatus(getDb(), id, await readJsonObject(request))) });
  });

/** Replaces the component's details (name, description, group, position, uptime, promised uptime). */
export const PUT: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    const id = parseId(params.id, 'Component');
    return json({ component: componentJson(await updateComponent(getDb(), id, await readJsonObject(request))) });
  });

export const DELETE: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    await deleteComponent(getDb(), parseId(params.id, 'Component'));
    return new Response(null, { status: 204 });
  });
