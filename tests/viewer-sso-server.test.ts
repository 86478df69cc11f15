// Single sign-on for audience viewers (issue 20) against a real OpenID provider on loopback: the
// certified `oidc-provider` with its development login and consent pages, driven over real HTTP
// like a browser (cookies per site, every redirect followed by hand). Nothing of the protocol is
// mocked: discovery, PKCE, state and nonce, the code exchange, ID token signature and userinfo are
// the provider's and openid-client's own.
import http from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bumpCredentialVersion, createAudience, sqlOn, ViewerBrowser } from './support/audiences.ts';
import { startServer, type TestServer } from './support/server.ts';

const ACCOUNTS: Record<string, { email: string; email_verified: boolean; groups: string[] }> = {
  ann: { email: 'ann@corp.example', email_verified: true, groups: ['engineering'] },
  raj: { email: 'raj@contractor.example', email_verified: true, groups: ['status-readers'] },
  eve: { email: 'eve@elsewhere.example', email_verified: true, groups: ['marketing'] },
  mal: { email: 'mal@corp.example', email_verified: false, groups: [] },
};

let idp: http.Server;
let issuer: string;
let provider: Provider | undefined;
let server: TestServer;
/** Every authorization request the provider received, as sent. */
const authorizeRequests: URL[] = [];

beforeAll(async () => {
  // The provider's address must be known before Candor starts, and Candor's before the provider
  // knows its client: listen first, build the provider after.
  idp = http.createServer((req, res) => {
    if (req.url?.startsWith('/auth?')) authorizeRequests.push(new URL(req.url, issuer));
    if (!provider) return res.writeHead(503).end();
    void provider.callback()(req, res);
  });
  await new Promise<void>((ok) => idp.listen(0, '127.0.0.1', () => ok()));
  issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
  server = await startServer({
    env: {
      TRUST_PROXY: '1',
      CANDOR_OIDC_ISSUER: issuer,
      CANDOR_OIDC_CLIENT_ID: 'candor-status',
      CANDOR_OIDC_CLIENT_SECRET: 'a client secret of some length',
      CANDOR_OIDC_SCOPES: 'openid email groups',
    },
  });
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'candor-status',
        client_secret: 'a client secret of some length',
        redirect_uris: [`${server.publicUrl}/access/sso/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    findAccount: (_ctx, id) =>
      ACCOUNTS[id] ? { accountId: id, claims: () => ({ sub: id, ...ACCOUNTS[id] }) } : undefined,
    // Refuse any authorization request without PKCE: Candor must send it.
    pkce: { required: () => true },
    cookies: { keys: ['test cookie signing key'] },
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  });
});
afterAll(async () => {
  await server?.stop();
  idp?.closeAllConnections();
  await new Promise<void>((ok) => (idp ? idp.close(() => ok()) : ok()));
});

/** The provider's side of the browser: its own cookies, redirects followed by hand. */
class ProviderBrowser {
  readonly cookies = new Map<string, string>();

  async send(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Submits the one form on an interaction page with `fields`. */
  async submit(pageUrl: string, fields: Record<string, string>): Promise<Response> {
    const page = await this.send(pageUrl);
    const html = await page.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form at ${pageUrl}:\n${html}`);
    const hidden = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    return this.send(new URL(action.replaceAll('&amp;', '&'), pageUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hidden, ...fields }).toString(),
    });
  }
}

/**
 * Signs in at the provider as `account` from the authorization URL Candor sent the browser to,
 * through the login and consent pages; returns the URL the provider sends the browser back to.
 */
async function signInAtProvider(authorizeUrl: string, account: string): Promise<URL> {
  const browser = new ProviderBrowser();
  let response = await browser.send(authorizeUrl);
  for (let step = 0; step < 10; step++) {
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider answered ${response.status}: ${await response.text()}`);
    const next = new URL(location, authorizeUrl);
    if (next.origin !== issuer) return next;
    if (next.pathname.startsWith('/interaction/')) {
      const html = await (await browser.send(next.href)).text();
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      response =
        prompt === 'login'
          ? await browser.submit(next.href, { login: account, password: 'any' })
          : await browser.submit(next.href, {});
    } else {
      response = await browser.send(next.href);
    }
  }
  throw new Error('the provider never sent the browser back');
}

/** Candor's side: starts single sign-on, returns the provider's authorization URL. */
async function startSignIn(viewer: ViewerBrowser, next = '/'): Promise<URL> {
  const started = await viewer.get(`/access/sso?next=${encodeURIComponent(next)}`);
  expect(started.status).toBe(302);
  return new URL(started.location!);
}

/** The callback as the browser follows it: to the address we reach Candor at. */
const callbackPath = (url: URL) => url.pathname + url.search;

describe('single sign-on through OpenID Connect', () => {
  test('the authorization code flow with PKCE signs in to the audiences the claims match', async () => {
    const corp = await createAudience(server.dbFile, {
      name: 'Corp',
      ssoRules: [{ claim: 'email_domain', value: 'corp.example' }],
    });
    const readers = await createAudience(server.dbFile, {
      name: 'Readers',
      ssoRules: [
        { claim: 'groups', value: 'status-readers' },
        { claim: 'email', value: 'ann@corp.example' },
      ],
    });
    const viewer = new ViewerBrowser(server.url);
    const signInPage = await viewer.get('/access');
    expect(signInPage.text).toContain('href="/access/sso"');

    const authorize = await startSignIn(viewer, '/history');
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${server.publicUrl}/access/sso/callback`);
    expect(authorize.searchParams.get('scope')).toBe('openid email groups');
    // The verifier stays with the browser (HttpOnly, only sent back to the callback).
    const flowCookie = viewer.cookie('candor_sso');
    expect(flowCookie).toBeTruthy();
    expect(decodeURIComponent(flowCookie!)).not.toContain(authorize.searchParams.get('code_challenge')!);

    const back = await signInAtProvider(authorize.href, 'ann');
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(authorizeRequests.at(-1)?.searchParams.get('code_challenge')).toBe(
      authorize.searchParams.get('code_challenge'),
    );
    const landed = await viewer.get(callbackPath(back));
    expect(landed.status, landed.text).toBe(303);
    expect(landed.location).toBe('/history');
    expect(await viewer.me()).toMatchObject({
      signedIn: true,
      email: 'ann@corp.example',
      audiences: [
        { id: corp, name: 'Corp', method: 'sso' },
        { id: readers, name: 'Readers', method: 'sso' },
      ],
    });
    const audit = await sqlOn(
      server.dbFile,
      `select subject_id, after from audit_log where action = 'audience.signin' and actor_name = 'ann@corp.example'`,
    );
    expect(audit.map((r) => JSON.parse(String(r.after)).method)).toEqual(['sso', 'sso']);

    // A change of the audience's rules (management raises credential_version) ends that grant only.
    await bumpCredentialVersion(server.dbFile, corp);
    expect((await viewer.me()).audiences).toEqual([{ id: readers, name: 'Readers', method: 'sso' }]);
  });

  test('a group claim admits; an account no rule matches gets a clear refusal and no session', async () => {
    const readers = await createAudience(server.dbFile, {
      name: 'Group readers',
      ssoRules: [{ claim: 'groups', value: 'status-readers' }],
    });
    const raj = new ViewerBrowser(server.url);
    const rajBack = await signInAtProvider((await startSignIn(raj)).href, 'raj');
    expect((await raj.get(callbackPath(rajBack))).status).toBe(303);
    expect((await raj.me()).audiences.map((a) => a.id)).toContain(readers);

    const eve = new ViewerBrowser(server.url);
    const eveBack = await signInAtProvider((await startSignIn(eve)).href, 'eve');
    const refused = await eve.get(callbackPath(eveBack));
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('data-sso-refused="no-audience"');
    expect(refused.text).toContain('eve@elsewhere.example');
    expect(refused.text).toContain('has not been given access to any part of this status page');
    expect(eve.cookie('candor_viewer')).toBeUndefined();
    expect((await eve.me()).public).toBe(true);
    const failed = await sqlOn(
      server.dbFile,
      `select after from audit_log where action = 'audience.signin_failed' and actor_name = 'eve@elsewhere.example'`,
    );
    expect(JSON.parse(String(failed[0].after))).toMatchObject({ method: 'sso', reason: 'no audience matches' });
  });

  test('an address the provider has not verified matches no email rule', async () => {
    const viewer = new ViewerBrowser(server.url);
    const back = await signInAtProvider((await startSignIn(viewer)).href, 'mal');
    const refused = await viewer.get(callbackPath(back));
    expect(refused.status).toBe(403);
    expect((await viewer.me()).public).toBe(true);
  });

  test('a wrong state, a replayed code or a callback without the flow cookie is refused', async () => {
    const viewer = new ViewerBrowser(server.url);
    const back = await signInAtProvider((await startSignIn(viewer)).href, 'ann');
    const forged = new URL(back);
    forged.searchParams.set('state', 'not-the-state-we-sent');
    const wrongState = await viewer.get(callbackPath(forged));
    expect(wrongState.status).toBe(400);
    expect(wrongState.text).toContain('data-sso-refused="failed"');
    expect(viewer.cookie('candor_viewer')).toBeUndefined();
    // The flow cookie was spent by that attempt: the genuine answer cannot be replayed on it.
    const replay = await viewer.get(callbackPath(back));
    expect(replay.status).toBe(400);
    // Another browser (no flow cookie) cannot use someone's code either.
    const stranger = new ViewerBrowser(server.url);
    expect((await stranger.get(callbackPath(back))).status).toBe(400);
    expect((await stranger.me()).public).toBe(true);
    expect((await viewer.me()).public).toBe(true);
  });
});

describe('without a provider configured', () => {
  test('the sign-in page offers no single sign-on and /access/sso says so', async () => {
    const plain = await startServer();
    try {
      const page = await fetch(`${plain.url}/access`);
      expect(await page.text()).not.toContain('/access/sso');
      const sso = await fetch(`${plain.url}/access/sso`, { redirect: 'manual' });
      expect(sso.status).toBe(404);
      expect(await sso.text()).toContain('Single sign-on is not set up');
    } finally {
      await plain.stop();
    }
  });
});
