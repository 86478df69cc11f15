import type { APIRoute } from 'astro';
import { getDb } from '../../../../db/client.ts';
import { getComponent, setComponentStatus } from '../../../../domain/components.ts';
import { componentJson } from '../../../../domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '../../../../web/api.ts';

export const GET: APIRoute = ({ params }) =>
  handleApi(async () => json({ component: componentJson(await getComponent(getDb(), parseId(params.id, 'Component'))) }));

export const PATCH: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals.user, 'components:status');
    if (denied) return denied;
    const id = parseId(params.id, 'Component');
    return json({ component: componentJson(await setComponentStatus(getDb(), id, await readJsonObject(request))) });
  });
