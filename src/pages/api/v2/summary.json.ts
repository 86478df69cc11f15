import { summaryDocument } from '#domain/statuspage-api.ts';
import { publicJsonRoute } from '#web/public-api.ts';

export const GET = publicJsonRoute(summaryDocument);
