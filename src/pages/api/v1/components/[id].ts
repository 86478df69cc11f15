import type { APIRoute } from 'astro';
import { getDb } from '../../../../db/client.ts';
import { getComponent, setComponentStatus } from '../../../../domain/components.ts';
import { componentJson } from '../../../../domain/api-shapes.ts';
import { InputError } from '../../../../domain/errors.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '../../../../web/api.ts';

export const GET: APIRoute = ({ params }) =>
  handleApi(async () => json({ component: componentJson(await getComponent(getDb(), parseId(params.id, 'Component'))) }));

export const PATCH: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals.user, 'components:status');
    if (denied) return denied;
    const id = parseId(params.id, 'Component');
    const body = await readJsonObject(request);
    if (!('status' in body)) throw new InputError('status: is required');
    const extra = Object.keys(body).filter((k) => k !== 'status');
    if (extra.length) throw new InputError(`Unknown field(s): ${extra.join(', ')}. Only "status" can be changed here.`);
    return json({ component: componentJson(await setComponentStatus(getDb(), id, body.status)) });
  });
