import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { settingsJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { loadSiteSettings, updateSiteSettings } from '#domain/site-settings.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () =>
  handleApi(async () => json({ settings: settingsJson(await loadSiteSettings(getDb()), publicUrl()) }));

export const PATCH: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'settings:write');
    if (denied) return denied;
    const updated = await updateSiteSettings(getDb(), await readJsonObject(request));
    return json({ settings: settingsJson(updated, publicUrl()) });
  });
