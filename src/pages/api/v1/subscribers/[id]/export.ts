import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { exportSubscriber } from '#domain/subscriber-data.ts';
import { forbidden, handleApi, json, parseId } from '#web/api.ts';

export const GET: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'subscribers:manage');
    if (denied) return denied;
    return json(await exportSubscriber(getDb(), parseId(params.id, 'Subscriber')));
  });
