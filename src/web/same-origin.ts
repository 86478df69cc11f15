// Cookie-authenticated writes must come from our own pages (CSRF): the admin's forms and the
// viewer sign-in forms. Browsers send Origin on every POST and Sec-Fetch-Site on every request;
// either one proves the source.

export function isSameOrigin(request: Request, url: URL): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = request.headers.get('origin');
  return origin !== null && origin === url.origin;
}
