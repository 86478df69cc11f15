// A subscriber's data, as a file the admin hands to the person who asked for it.
import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { can } from '#domain/auth/roles.ts';
import { NotFoundError } from '#domain/errors.ts';
import { exportSubscriber } from '#domain/subscriber-data.ts';
import { routeId } from '#web/route-id.ts';

export const GET: APIRoute = async ({ params, locals }) => {
  if (!can(locals.user!.role, 'subscribers:manage'))
    return new Response('Your role may not manage subscribers.', { status: 403 });
  const id = routeId(params.id);
  if (id === null) return new Response('No such subscriber.', { status: 404 });
  try {
    const data = await exportSubscriber(getDb(), id);
    return new Response(JSON.stringify(data, null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="subscriber-${id}.json"`,
        'cache-control': 'no-store',
      },
    });
  } catch (e) {
    if (e instanceof NotFoundError) return new Response(e.message, { status: 404 });
    throw e;
  }
};
