import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { settingsJson } from '#domain/api-shapes.ts';
import { publicUrl } from '#domain/public-url.ts';
import { loadSiteSettings, updateSiteSettings } from '#domain/site-settings.ts';
import { setSiteDefaultLocale } from '../../../../i18n/site-locale.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const GET: APIRoute = () =>
  handleApi(async () => json({ settings: settingsJson(await loadSiteSettings(getDb()), publicUrl()) }));

export const PATCH: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'settings:write');
    if (denied) return denied;
    const updated = await updateSiteSettings(getDb(), await readJsonObject(request));
    // This instance answers in the new default language at once; others learn it from the feed.
    setSiteDefaultLocale(updated.defaultLocale);
    return json({ settings: settingsJson(updated, publicUrl()) });
  });
