// The alert routes as a file, in content/alerts.json's shape: a backup, or the next install's default.
import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { loadAlertConfig } from '#domain/alert-routes.ts';
import { can } from '#domain/auth/roles.ts';

export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user || !can(locals.user.role, 'settings:write'))
    return new Response('Only admins export the alert routes.', { status: 403 });
  return new Response(`${JSON.stringify(await loadAlertConfig(getDb()), null, 2)}\n`, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': 'attachment; filename="alerts.json"',
      'cache-control': 'no-store',
    },
  });
};
