import type { APIRoute } from 'astro';
import { getDb } from '#db/client.ts';
import { parseInput } from '#domain/errors.ts';
import { addWebhookSubscriber, listSubscribers, subscriberFilterSchema } from '#domain/subscribers.ts';
import { subscriberJson } from '#domain/api-shapes.ts';
import { forbidden, handleApi, json, pageRequest, pagination, readJsonObject } from '#web/api.ts';

/** Subscribers (never their manage tokens or webhook secrets); `?q=`, `?state=`, `?kind=` filter. */
export const GET: APIRoute = ({ url, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'subscribers:manage');
    if (denied) return denied;
    const page = pageRequest(url);
    const filter = parseInput(subscriberFilterSchema, {
      q: url.searchParams.get('q') ?? '',
      state: url.searchParams.get('state') ?? undefined,
      kind: url.searchParams.get('kind') ?? undefined,
      page: page.page,
      perPage: page.perPage,
    });
    const { rows, total } = await listSubscribers(getDb(), filter);
    return json({ subscribers: rows.map(subscriberJson), pagination: pagination(page, total) });
  });

/** Adds a webhook subscriber: `{ "url", "components": "all" | [ids], "verify": boolean }`. The answer holds its signing secret, once. */
export const POST: APIRoute = ({ request, locals }) =>
  handleApi(async () => {
    const denied = forbidden(locals, 'subscribers:manage');
    if (denied) return denied;
    const row = await addWebhookSubscriber(getDb(), await readJsonObject(request));
    return json({ subscriber: subscriberJson(row), secret: row.secret }, 201);
  });
