import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { eraseSubscriber } from '#domain/subscriber-data.ts';
import { forbidden, handleApi, json, parseId } from '#web/api.ts';

export const POST: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'subscribers:manage');
    if (denied) return denied;
    return json({ erasure: await eraseSubscriber(getDb(), parseId(params.id, 'Subscriber')) });
  });
