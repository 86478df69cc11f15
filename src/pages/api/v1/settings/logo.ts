import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { settingsJson } from '#domain/api-shapes.ts';
import { removeBrandImage, setBrandImage, uploadedBytes } from '#domain/brand-assets.ts';
import { publicUrl } from '#domain/public-url.ts';
import { forbidden, handleApi, json, readJsonObject } from '#web/api.ts';

export const PUT: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'settings:write');
    if (denied) return denied;
    const settings = await setBrandImage(getDb(), 'logo', uploadedBytes(await readJsonObject(request)));
    return json({ settings: settingsJson(settings, publicUrl()) });
  });

export const DELETE: APIRoute = ({ locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'settings:write');
    if (denied) return denied;
    return json({ settings: settingsJson(await removeBrandImage(getDb(), 'logo'), publicUrl()) });
  });
