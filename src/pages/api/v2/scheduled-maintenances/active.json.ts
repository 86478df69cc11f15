import { maintenancesDocument } from '#domain/statuspage-api.ts';
import { publicJsonRoute } from '#web/public-api.ts';

export const GET = publicJsonRoute((db, ctx, v) => maintenancesDocument(db, ctx, v, 'active'));
