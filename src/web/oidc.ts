// Single sign-on for audience viewers through any OpenID Connect provider (issue 20), with
// openid-client: the authorization code flow with PKCE (S256), state and nonce. What the flow must
// remember between leaving and coming back (state, nonce, code verifier, where to go next) rides
// in a short-lived HttpOnly cookie of its own, bound to this browser. Configured by environment:
// CANDOR_OIDC_ISSUER, CANDOR_OIDC_CLIENT_ID, CANDOR_OIDC_CLIENT_SECRET, CANDOR_OIDC_SCOPES.
import type { AstroCookies } from 'astro';
import * as client from 'openid-client';
import { publicUrl } from '../domain/public-url.ts';
import { secureCookies } from './session-cookie.ts';

export const SSO_CALLBACK_PATH = '/access/sso/callback';
const FLOW_COOKIE = 'candor_sso';
const FLOW_LIFETIME_S = 600;
const DEFAULT_SCOPES = 'openid email profile';

interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
}

/** The provider's settings, or null when single sign-on is not configured. */
export function oidcSettings(): OidcSettings | null {
  const issuer = process.env.CANDOR_OIDC_ISSUER?.trim();
  const clientId = process.env.CANDOR_OIDC_CLIENT_ID?.trim();
  if (!issuer || !clientId) return null;
  return {
    issuer,
    clientId,
    clientSecret: process.env.CANDOR_OIDC_CLIENT_SECRET ?? '',
    scopes: process.env.CANDOR_OIDC_SCOPES?.trim() || DEFAULT_SCOPES,
  };
}

/** Plain http is refused except to a provider on this machine (a development or test setup). */
function loopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

let discovered: { key: string; config: Promise<client.Configuration> } | undefined;

/** The provider's configuration, discovered once (again after a failure or a settings change). */
function configuration(settings: OidcSettings): Promise<client.Configuration> {
  const key = `${settings.issuer}\u0000${settings.clientId}\u0000${settings.clientSecret}`;
  if (discovered?.key === key) return discovered.config;
  const config = discover(settings);
  discovered = { key, config };
  config.catch(() => {
    if (discovered?.config === config) discovered = undefined;
  });
  return config;
}

/**
 * Discovery, then the client: with a secret, sent the way the provider says it takes one
 * (client_secret_basic, the standard's default, unless only client_secret_post is offered); without
 * one, a public client that relies on PKCE alone.
 */
async function discover(settings: OidcSettings): Promise<client.Configuration> {
  const issuer = new URL(settings.issuer);
  const insecure = issuer.protocol === 'http:' && loopback(issuer);
  const found = await client.discovery(
    issuer,
    settings.clientId,
    undefined,
    client.None(),
    insecure ? { execute: [client.allowInsecureRequests] } : undefined,
  );
  if (!settings.clientSecret) return found;
  const server = found.serverMetadata();
  const methods = server.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const auth =
    !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
      ? client.ClientSecretPost(settings.clientSecret)
      : client.ClientSecretBasic(settings.clientSecret);
  const config = new client.Configuration(server, settings.clientId, settings.clientSecret, auth);
  if (insecure) client.allowInsecureRequests(config);
  return config;
}

const redirectUri = () => `${publicUrl()}${SSO_CALLBACK_PATH}`;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

/** Starts a sign-in: remembers the flow in its cookie and returns the provider's address to send the browser to. */
export async function startSso(cookies: AstroCookies, url: URL, next: string): Promise<URL> {
  const settings = oidcSettings();
  if (!settings) throw new Error('Single sign-on is not configured.');
  const config = await configuration(settings);
  const flow: Flow = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    next,
  };
  cookies.set(FLOW_COOKIE, JSON.stringify(flow), {
    httpOnly: true,
    // The provider sends the browser back with a top-level GET: Lax cookies go along.
    sameSite: 'lax',
    path: SSO_CALLBACK_PATH,
    secure: secureCookies(url),
    maxAge: FLOW_LIFETIME_S,
  });
  return client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(),
    scope: settings.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    state: flow.state,
    nonce: flow.nonce,
  });
}

export class SsoRefused extends Error {}

/**
 * Finishes a sign-in: checks the provider's answer against the flow's cookie (state, then the
 * code exchanged with its PKCE verifier, the ID token's signature, issuer, audience and nonce) and
 * returns the claims of the ID token and userinfo together, and where to go next. Throws
 * SsoRefused for anything that does not check out.
 */
export async function finishSso(
  cookies: AstroCookies,
  url: URL,
): Promise<{ claims: Record<string, unknown>; next: string }> {
  const settings = oidcSettings();
  if (!settings) throw new SsoRefused('Single sign-on is not configured.');
  const raw = cookies.get(FLOW_COOKIE)?.value;
  cookies.delete(FLOW_COOKIE, { path: SSO_CALLBACK_PATH });
  let flow: Flow;
  try {
    flow = JSON.parse(raw ?? '') as Flow;
  } catch {
    throw new SsoRefused('This sign-in was not started here, or took longer than 10 minutes. Start again.');
  }
  const config = await configuration(settings).catch((error: unknown) => {
    throw new SsoRefused(`The single sign-on provider could not be reached: ${(error as Error).message}`);
  });
  // The address the provider sent the browser to, as we named it (the request's own host may differ behind a proxy).
  const currentUrl = new URL(`${redirectUri()}${url.search}`);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw new SsoRefused(`The single sign-on answer was refused: ${(error as Error).message}`);
  }
  const idClaims = (tokens.claims() ?? {}) as Record<string, unknown>;
  let userinfo: Record<string, unknown> = {};
  if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
    try {
      // Checked to be about the ID token's subject.
      userinfo = { ...(await client.fetchUserInfo(config, tokens.access_token, String(idClaims.sub))) };
    } catch (error) {
      throw new SsoRefused(`The provider's userinfo answer was refused: ${(error as Error).message}`);
    }
  }
  return { claims: { ...userinfo, ...idClaims }, next: flow.next };
}
