import { feedRoute } from '../web/feed-route.ts';

export const GET = feedRoute('rss');
