// The status badge: a small flat SVG (label | value) to put in a README, a wiki or a dashboard.
import { escapeMarkup } from './format.ts';
import { COMPONENT_INDICATOR, COMPONENT_STATE_LABELS, type ComponentState, type Indicator } from './status.ts';

// Colours with at least 4.5:1 contrast against white text.
const INDICATOR_COLOURS: Record<Indicator, string> = {
  none: '#1a7f37',
  maintenance: '#0550ae',
  minor: '#7d4e00',
  major: '#a33b00',
  critical: '#a40e26',
};

/** Approximate width of text in 11px Verdana (the badge convention), without a font engine. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text)
    width += /[ilI.,:;|!'1]/.test(ch) ? 3.5 : /[mwMW@]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(width);
}

export function renderBadge(label: string, value: string, indicator: Indicator): string {
  const lw = textWidth(label) + 12;
  const vw = textWidth(value) + 12;
  const w = lw + vw;
  const colour = INDICATOR_COLOURS[indicator];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${escapeMarkup(`${label}: ${value}`)}" data-indicator="${indicator}">
<title>${escapeMarkup(`${label}: ${value}`)}</title>
<clipPath id="r"><rect width="${w}" height="20" rx="3"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${colour}"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${escapeMarkup(label)}</text><text x="${lw + vw / 2}" y="14">${escapeMarkup(value)}</text>
</g></svg>`;
}

export function componentBadge(name: string, state: ComponentState): string {
  return renderBadge(name, COMPONENT_STATE_LABELS[state], COMPONENT_INDICATOR[state]);
}
