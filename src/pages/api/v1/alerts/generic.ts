import { fromGeneric } from '#domain/alerts.ts';
import { alertRoute } from '#web/alert-route.ts';

// Any other monitor: { key, status: firing|resolved, component, state?, title?, message? }.
export const POST = alertRoute(fromGeneric);
