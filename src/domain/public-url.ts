// The site's public address: the only source of absolute links in pages, API answers, feeds,
// calendars, emails and webhooks. A request's Host header never writes a link, so nobody can put
// their own address into a cached page or a feed by sending one.

/** Why PUBLIC_URL cannot be used, or null when it can. */
export function publicUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `PUBLIC_URL must be an absolute http:// or https:// address, for example https://status.example.com (got "${value}").`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `PUBLIC_URL must start with http:// or https:// (got "${value}").`;
  if (url.username || url.password) return 'PUBLIC_URL must not contain a user name or password.';
  if (url.pathname !== '/' || url.search || url.hash) {
    return `PUBLIC_URL must be the site's origin only, without a path, query or fragment (got "${value}"); Candor is served from the root of its host.`;
  }
  return null;
}

/**
 * The public origin without a trailing slash, e.g. `https://status.example.com`. The server
 * sets PUBLIC_URL at start when it was not given (to the address it prints), so every part of
 * Candor in that process reads the same value.
 */
export function publicUrl(): string {
  const value = process.env.PUBLIC_URL;
  if (!value) return `http://localhost:${process.env.PORT || 4321}`;
  return new URL(value).origin;
}

/** Whether links and cookies are https: the switch for HSTS and `Secure` cookies. */
export function publicUrlIsHttps(): boolean {
  return publicUrl().startsWith('https:');
}
