// /widget.js: one <script> tag on another site shows the page's current status there, linked to
// the status page, and keeps it current. It reads /api/v2/status.json (cached, CORS-open).
// `widget.js?lang=de` speaks German: its words are written into the script, one per indicator,
// since status.json keeps Statuspage's English descriptions.
import type { APIRoute } from 'astro';
import type { Locale } from '../domain/locales.ts';
import { INDICATORS } from '../domain/status.ts';
import { indicatorLabel } from '../i18n/labels.ts';
import { siteDefaultLocale } from '../i18n/site-locale.ts';
import { t } from '../i18n/t.ts';

const script = (locale: Locale) => {
  const words = JSON.stringify({
    loading: t(locale, 'widget.loading'),
    home: locale === siteDefaultLocale() ? '/' : `/?lang=${locale}`,
    labels: Object.fromEntries(INDICATORS.map((i) => [i, indicatorLabel(locale, i)])),
  });
  return `(() => {
  const script = document.currentScript;
  if (!script) return;
  const base = new URL(script.src).origin;
  const words = ${words};
  const every = Math.max(2, Number(script.dataset.refresh) || 60) * 1000;
  const colours = { none: '#1a7f37', maintenance: '#0550ae', minor: '#9a6700', major: '#bc4c00', critical: '#cf222e' };
  const link = document.createElement('a');
  link.href = base + words.home;
  link.target = '_blank';
  link.rel = 'noopener';
  link.className = 'candor-status';
  link.style.cssText = 'display:inline-flex;align-items:center;gap:.4em;font:inherit;color:inherit;text-decoration:none';
  const dot = document.createElement('span');
  dot.setAttribute('aria-hidden', 'true');
  dot.style.cssText = 'width:.7em;height:.7em;border-radius:50%;background:#8c959f;flex:none';
  const text = document.createElement('span');
  text.textContent = words.loading;
  link.append(dot, text);
  script.after(link);
  const update = async () => {
    try {
      // Revalidate every time: an unchanged status costs a 304 from the cache.
      const response = await fetch(base + '/api/v2/status.json', { cache: 'no-cache' });
      if (!response.ok) return;
      const { page, status } = await response.json();
      text.textContent = page.name + ': ' + (words.labels[status.indicator] || status.description);
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
};

export const GET: APIRoute = ({ locals }) =>
  new Response(script(locals.locale), {
    headers: { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' },
  });
