// /widget.js: one <script> tag on another site shows the page's current status there, linked to
// the status page, and keeps it current. It reads /api/v2/status.json (cached, CORS-open).
import type { APIRoute } from 'astro';

const SCRIPT = `(() => {
  const script = document.currentScript;
  if (!script) return;
  const base = new URL(script.src).origin;
  const every = Math.max(2, Number(script.dataset.refresh) || 60) * 1000;
  const colours = { none: '#1a7f37', maintenance: '#0550ae', minor: '#9a6700', major: '#bc4c00', critical: '#cf222e' };
  const link = document.createElement('a');
  link.href = base + '/';
  link.target = '_blank';
  link.rel = 'noopener';
  link.className = 'candor-status';
  link.style.cssText = 'display:inline-flex;align-items:center;gap:.4em;font:inherit;color:inherit;text-decoration:none';
  const dot = document.createElement('span');
  dot.setAttribute('aria-hidden', 'true');
  dot.style.cssText = 'width:.7em;height:.7em;border-radius:50%;background:#8c959f;flex:none';
  const text = document.createElement('span');
  text.textContent = 'Loading status…';
  link.append(dot, text);
  script.after(link);
  const update = async () => {
    try {
      // Revalidate every time: an unchanged status costs a 304 from the cache.
      const response = await fetch(base + '/api/v2/status.json', { cache: 'no-cache' });
      if (!response.ok) return;
      const { page, status } = await response.json();
      text.textContent = page.name + ': ' + status.description;
      dot.style.background = colours[status.indicator] || '#8c959f';
      link.dataset.indicator = status.indicator;
    } catch {
      // Offline or blocked: keep the last known state rather than show an error on someone else's page.
    }
  };
  update();
  setInterval(update, every);
})();
`;

export const GET: APIRoute = () =>
  new Response(SCRIPT, {
    headers: { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' },
  });
