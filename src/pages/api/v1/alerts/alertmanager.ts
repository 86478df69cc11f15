import { fromAlertmanager } from '#domain/alerts.ts';
import { alertRoute } from '#web/alert-route.ts';

// Prometheus Alertmanager's webhook_config (payload version 4).
export const POST = alertRoute(fromAlertmanager);
