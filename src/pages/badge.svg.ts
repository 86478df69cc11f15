// /badge.svg (the page's overall status) and /badge.svg?component=ID (one component), for READMEs,
// wikis and dashboards. Cached like every public page.
import type { APIRoute } from 'astro';
import { getDb } from '../db/client.ts';
import { componentBadge, renderBadge } from '../domain/badge.ts';
import { getComponent } from '../domain/components.ts';
import { NotFoundError } from '../domain/errors.ts';
import { loadStatus } from '../domain/statuspage-api.ts';
import { routeId } from '../web/route-id.ts';
import { componentVisible } from '../domain/audiences/visibility.ts';
import { visibilityOf } from '../web/visibility.ts';

const HEADERS = { 'content-type': 'image/svg+xml; charset=utf-8', 'access-control-allow-origin': '*' };
const text = (message: string, status: number) =>
  new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export const GET: APIRoute = async ({ url, locals }) => {
  const visibility = await visibilityOf(locals);
  const label = (url.searchParams.get('label') ?? 'status').slice(0, 40);
  const param = url.searchParams.get('component');
  if (param === null) {
    const status = await loadStatus(getDb(), visibility);
    return new Response(renderBadge(label, status.description, status.indicator), { headers: HEADERS });
  }
  const id = routeId(param);
  if (id === null) return text('component must be a component id, for example ?component=1.', 400);
  try {
    // A component this reader does not see has no badge for them.
    if (!componentVisible(visibility, id)) throw new NotFoundError('component', id);
    const component = await getComponent(getDb(), id);
    return new Response(componentBadge(component.name, component.status), { headers: HEADERS });
  } catch (error) {
    if (error instanceof NotFoundError) return text(error.message, 404);
    throw error;
  }
};
