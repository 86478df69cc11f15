import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { getSubscriber, unsubscribeById } from '#domain/subscribers.ts';
import { subscriberJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, parseId } from '#web/api.ts';

export const GET: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'subscribers:manage');
    if (denied) return denied;
    return json({
      subscriber: subscriberJson((await getSubscriber(getDb(), parseId(params.id, 'Subscriber'))).subscriber),
    });
  });

/** Unsubscribes (the row stays, so the address is never mailed again by mistake). */
export const DELETE: APIRoute = ({ params, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'subscribers:manage');
    if (denied) return denied;
    return json({ subscriber: subscriberJson(await unsubscribeById(getDb(), parseId(params.id, 'Subscriber'))) });
  });
