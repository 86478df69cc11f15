// Webhook subscribers: added in the admin, verified by an echoed challenge, sent Statuspage-shaped
// bodies signed with HMAC-SHA256, and retried with the same delivery id after a failure.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyWebhookSignature } from '../src/domain/notify/webhook.ts';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';
import { waitFor } from './support/subscribers.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

let server: TestServer;
const hooks = new WebhookReceiver();
const received = hooks.received;
const failFirst = hooks.failFirst;
let receiverUrl: string;

beforeAll(async () => {
  receiverUrl = await hooks.start();
  server = await startServer({
    env: { CANDOR_OUTBOX_POLL_MS: '100', CANDOR_RETRY_BASE_MS: '200', CANDOR_RETRY_MAX_MS: '1000' },
  });
});
afterAll(async () => {
  await server?.stop();
  await hooks.stop();
});

async function addWebhook(admin: Awaited<ReturnType<typeof adminSession>>, path: string, fields: [string, string][]) {
  const added = await admin.post('/admin/subscribers', [['url', receiverUrl + path], ...fields]);
  expect(added.status).toBe(303);
  const page = await admin.get(added.location!);
  const secret = /class="secret"[^>]*>(whsec_[\w-]+)</.exec(page.html)![1];
  return { id: Number(/\/admin\/subscribers\/(\d+)/.exec(added.location!)![1]), secret, page };
}

describe('webhooks', () => {
  test('verified by challenge, then signed Statuspage-format events for its components only', async () => {
    const { token, email, password } = createUserWithToken(server.dbFile, 'admin');
    const admin = await adminSession(server.url, email, password);
    const api1 = await addWebhook(admin, '/api-hook', [
      ['scope', 'some'],
      ['components', '1'],
      ['verify', 'on'],
    ]);
    const verify = await waitFor('verification request', () => received.find((r) => r.path === '/api-hook'));
    expect(verify.json.event_type).toBe('subscription.verify');
    expect(verify.headers['x-candor-event']).toBe('subscription.verify');
    expect(verifyWebhookSignature(api1.secret, verify.body, verify.headers['x-candor-signature'] as string)).toBe(true);
    await waitFor('verified', async () =>
      (await admin.get(`/admin/subscribers/${api1.id}`)).html.includes('Confirmed'),
    );

    const created = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'API errors',
      impact: 'major',
      message: 'Investigating **errors**.',
      components: { 1: 'partial_outage' },
    });
    const id = created.body.incident.id;
    await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Storage slow',
      impact: 'minor',
      message: 'Looking.',
      components: { 6: 'degraded_performance' },
    });
    const incident = await waitFor('incident webhook', () =>
      received.find((r) => r.path === '/api-hook' && r.json.event_type === 'incident.created'),
    );
    const component = await waitFor('component webhook', () =>
      received.find((r) => r.path === '/api-hook' && r.json.event_type === 'component.updated'),
    );
    await new Promise((ok) => setTimeout(ok, 500));
    // Storage (component 6) is not this webhook's business.
    expect(received.filter((r) => r.path === '/api-hook' && r.body.includes('Storage slow'))).toEqual([]);
    expect(received.filter((r) => r.path === '/api-hook' && r.json.component?.id === '6')).toEqual([]);

    expect(verifyWebhookSignature(api1.secret, incident.body, incident.headers['x-candor-signature'] as string)).toBe(
      true,
    );
    expect(
      verifyWebhookSignature(api1.secret, incident.body + ' ', incident.headers['x-candor-signature'] as string),
    ).toBe(false);
    expect(incident.headers['x-candor-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const body = incident.json;
    expect(Object.keys(body)).toEqual(['meta', 'page', 'event_type', 'incident']);
    expect(body.meta.unsubscribe).toMatch(/\/subscription\/[a-z0-9]+\/unsubscribe$/);
    expect(body.page).toMatchObject({ status_indicator: 'major', status_description: 'Partial System Outage' });
    expect(body.incident).toMatchObject({
      id: String(id),
      name: 'API errors',
      status: 'investigating',
      impact: 'major',
      resolved_at: null,
    });
    expect(body.incident.shortlink).toMatch(new RegExp(`/incidents/${id}$`));
    expect(body.incident.incident_updates[0]).toMatchObject({
      status: 'investigating',
      body: 'Investigating **errors**.',
      incident_id: String(id),
    });
    expect(body.incident.incident_updates[0].affected_components).toEqual([
      { code: '1', name: 'Core platform - API', old_status: 'operational', new_status: 'partial_outage' },
    ]);

    expect(Object.keys(component.json)).toEqual(['meta', 'page', 'event_type', 'component_update', 'component']);
    expect(component.json.component_update).toMatchObject({
      component_id: '1',
      old_status: 'operational',
      new_status: 'partial_outage',
    });
    expect(component.json.component).toMatchObject({ id: '1', name: 'API', status: 'partial_outage' });
  });

  test('a failing endpoint is retried with the same delivery id; no echo means no verification', async () => {
    const { token, email, password } = createUserWithToken(server.dbFile, 'admin', 'admin2@example.com');
    const admin = await adminSession(server.url, email, password);
    const flaky = await addWebhook(admin, '/flaky', [['scope', 'all']]); // vouched for by the admin
    expect(flaky.page.html).toContain('Confirmed');
    failFirst.set('/flaky', [500, 503]);
    await api(server.url, token, 'POST', '/api/v1/incidents', { title: 'Flaky', impact: 'minor', message: 'Hmm.' });
    const attempts = await waitFor('three attempts', () => {
      const list = received.filter((r) => r.path === '/flaky' && r.json.event_type === 'incident.created');
      return list.length >= 3 && list;
    });
    expect(new Set(attempts.map((a) => a.headers['x-candor-delivery'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    const history = await admin.get(`/admin/subscribers/${flaky.id}`);
    expect(history.html).toMatch(/data-delivery-state="sent"/);
    // The list finds it by address and kind, with its delivery counts (sent, failed, queued).
    const list = await admin.get('/admin/subscribers?q=FLAKY&kind=webhook&state=active');
    expect(list.html).toContain('1 subscriber found');
    expect(list.html.replace(/\s+</g, '<')).toMatch(
      /\/flaky<\/a><\/td><td>Webhook<\/td><td>Confirmed<\/td><td>All<\/td><td>1<\/td><td>0<\/td><td>0<\/td>/,
    );
    expect((await admin.get('/admin/subscribers?q=flaky&state=pending')).html).toContain('0 subscribers found');

    hooks.echo = false;
    const silent = await addWebhook(admin, '/silent', [
      ['scope', 'all'],
      ['verify', 'on'],
    ]);
    await waitFor('verification attempt', () => received.find((r) => r.path === '/silent'));
    const page = await waitFor('failure recorded', async () => {
      const p = await admin.get(`/admin/subscribers/${silent.id}`);
      return p.html.includes('did not echo the challenge') && p;
    });
    expect(page.html).toContain('Awaiting confirmation');
    hooks.echo = true;
    expect((await admin.post(`/admin/subscribers/${silent.id}`, [['action', 'confirm']])).status).toBe(303);
    expect((await admin.get(`/admin/subscribers/${silent.id}`)).html).toContain('Confirmed');
    // Confirming twice, or an address that is not a pending webhook, is a 409 with a reason.
    const again = await admin.post(`/admin/subscribers/${silent.id}`, [['action', 'confirm']]);
    expect(again.status).toBe(409);
    expect(again.html).toContain('Only a webhook awaiting verification can be confirmed');
    // Unknown ids are 404s, for pages and for actions alike.
    expect((await admin.post('/admin/subscribers/99999', [['action', 'unsubscribe']])).status).toBe(404);
    expect((await admin.get('/admin/subscribers/abc')).status).toBe(404);
    expect((await admin.get('/admin/outbox/99999')).status).toBe(404);
  });
});

describe('without RESEND_API_KEY', () => {
  test('mail is kept in the local outbox, shown and readable in the admin, never dropped', async () => {
    const { email, password } = createUserWithToken(server.dbFile, 'support', 'support-outbox@example.com');
    const admin = await adminSession(server.url, email, password);
    const answer = await fetch(server.url + '/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=held%40example.com&scope=all',
    });
    expect(answer.status).toBe(200);
    await new Promise((ok) => setTimeout(ok, 300));
    const outbox = await admin.get('/admin/outbox?state=queued');
    expect(outbox.html).toContain('Neither SMTP_URL nor RESEND_API_KEY is set');
    expect(outbox.html).toMatch(/<tr data-channel="email">.*?<td data-state="queued">1<\/td>/s);
    const id =
      /href="\/admin\/outbox\/(\d+)">\1<\/a><\/td><td>Confirm subscription<\/td><td><a[^>]*>held@example.com/.exec(
        outbox.html,
      )?.[1];
    expect(id).toBeDefined();
    const preview = await admin.get(`/admin/outbox/${id}`);
    expect(preview.html).toContain('Confirm your subscription to Example Cloud status updates');
    expect(preview.html).toMatch(/\/subscribe\/confirm\/[a-z0-9]{32}/);
  });
});
