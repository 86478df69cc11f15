import { incidentsDocument } from '#domain/statuspage-api.ts';
import { publicJsonRoute } from '#web/public-api.ts';

export const GET = publicJsonRoute((db, ctx, v) => incidentsDocument(db, ctx, v, 'recent'));
