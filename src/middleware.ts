// Who is asking, one step at a time: everyone starts anonymous; a bearer token for /api/v1, a
// session cookie for /admin; a subscriber's secret-link pages are kept out of caches. Public pages
// look only at the viewer (an audience member's cookie or allowed address, src/web/middleware/
// viewer.ts), and the front server caches them only for the public.
// A member's feed link (/my/<token>/…) admits its audience and goes on as the path it stands for.
// Each step acts only on its own paths (src/web/paths.ts) and otherwise passes the request on.
import { sequence } from 'astro:middleware';
import { adminAuth } from './web/middleware/admin-auth.ts';
import { anonymous } from './web/middleware/anonymous.ts';
import { feedLinks } from './web/middleware/feed-links.ts';
import { apiAuth } from './web/middleware/api-auth.ts';
import { locale } from './web/middleware/locale.ts';
import { personalPaths } from './web/middleware/personal-paths.ts';
import { viewer } from './web/middleware/viewer.ts';

export const onRequest = sequence(anonymous, viewer, feedLinks, locale, apiAuth, adminAuth, personalPaths);
