// Logging in to the admin like a browser (form post, session cookie) for tests that drive admin forms.
export async function adminSession(base: string, email: string, password: string) {
  const login = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ email, password }).toString(),
    redirect: 'manual',
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`login failed with ${login.status}`);
  return {
    /** The session cookie itself, for tests that build their own requests. */
    cookie,
    get: async (path: string) => {
      const r = await fetch(base + path, { headers: { cookie }, redirect: 'manual' });
      return { status: r.status, html: await r.text(), location: r.headers.get('location') };
    },
    post: async (path: string, fields: [string, string][]) => {
      const r = await fetch(base + path, {
        method: 'POST',
        headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      });
      return { status: r.status, html: await r.text(), location: r.headers.get('location') };
    },
    /** A same-origin JSON post, as the admin pages' scripts send (e.g. the live review lint). */
    postJson: async (path: string, body: unknown) => {
      const r = await fetch(base + path, {
        method: 'POST',
        headers: { cookie, origin: base, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    },
  };
}
