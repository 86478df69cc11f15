// The address a request came from, for rate limits. Behind a reverse proxy every request would
// come from the proxy, so with TRUST_PROXY=1 the first X-Forwarded-For entry is used instead.
export function clientIp(request: Request, clientAddress: () => string): string {
  if (process.env.TRUST_PROXY === '1') {
    const forwarded = request.headers.get('x-forwarded-for');
    if (forwarded) return forwarded.split(',')[0].trim();
  }
  try {
    return clientAddress();
  } catch {
    return 'unknown';
  }
}
