import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { loadAlertConfig, replaceAlertConfig } from '#domain/alert-routes.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () => handleApi(async () => json({ alert_routes: await loadAlertConfig(getDb()) }));

export const PUT: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'settings:write');
    if (denied) return denied;
    return json({ alert_routes: await replaceAlertConfig(getDb(), await readJsonObject(request)) });
  });
