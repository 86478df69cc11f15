import type { APIRoute } from 'astro';
import { getDb } from '../../../../db/client.ts';
import { listComponents } from '../../../../domain/components.ts';
import { componentJson } from '../../../../domain/api-shapes.ts';
import { json } from '../../../../web/api.ts';

export const GET: APIRoute = async () => json({ components: (await listComponents(getDb())).map(componentJson) });
