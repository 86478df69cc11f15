import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { componentAudienceMap } from '#domain/audiences/audience-reads.ts';
import {
  deleteComponent,
  getComponent,
  setComponentStatus,
  updateComponent,
  type Component,
} from '#domain/components.ts';
import { componentJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId, readJsonObject } from '#web/api.ts';

const answer = async (component: Component) =>
  json({ component: componentJson(component, (await componentAudienceMap(getDb())).get(component.id) ?? []) });

export const GET: APIRoute = ({ params }) =>
  handleApi(async () => answer(await getComponent(getDb(), parseId(params.id, 'Component'))));

/** Sets the component's state: `{ "status": "partial_outage" }`. */
export const PATCH: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:status');
    if (denied) return denied;
    const id = parseId(params.id, 'Component');
    return answer(await setComponentStatus(getDb(), id, await readJsonObject(request)));
  });

/** Replaces the component's details (name, description, group, position, uptime, promised uptime; audiences if sent). */
export const PUT: APIRoute = ({ params, request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    const id = parseId(params.id, 'Component');
    return answer(await updateComponent(getDb(), id, await readJsonObject(request)));
  });

export const DELETE: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'components:write');
    if (denied) return denied;
    await deleteComponent(getDb(), parseId(params.id, 'Component'));
    return new Response(null, { status: 204 });
  });
