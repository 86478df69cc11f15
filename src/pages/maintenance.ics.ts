// /maintenance.ics: subscribe to scheduled maintenance in any calendar app.
import type { APIRoute } from 'astro';
import { getDb } from '../db/client.ts';
import { CALENDAR_LIMIT, renderMaintenanceCalendar } from '../domain/ical.ts';
import { loadRecentMaintenance } from '../domain/maintenance.ts';
import { messageContext } from '../web/message-context.ts';
import { visibilityOf } from '../web/visibility.ts';

export const GET: APIRoute = async ({ locals }) =>
  new Response(
    renderMaintenanceCalendar(
      await messageContext(),
      await loadRecentMaintenance(getDb(), CALENDAR_LIMIT, await visibilityOf(locals)),
      locals.locale,
    ),
    {
      headers: {
        'content-type': 'text/calendar; charset=utf-8',
        'content-disposition': 'inline; filename="maintenance.ics"',
      },
    },
  );
