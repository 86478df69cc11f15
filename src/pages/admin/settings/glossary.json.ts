// The glossary as a file, in content/glossary.json's shape: a backup, or the next install's default.
import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { can } from '#domain/auth/roles.ts';
import { loadGlossary } from '#domain/rca/glossary-store.ts';

export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user || !can(locals.user.role, 'settings:write'))
    return new Response('Only admins export the glossary.', { status: 403 });
  return new Response(`${JSON.stringify(await loadGlossary(getDb()), null, 2)}\n`, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': 'attachment; filename="glossary.json"',
      'cache-control': 'no-store',
    },
  });
};
