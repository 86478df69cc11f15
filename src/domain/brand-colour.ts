// The brand colour and the accents the page derives from it, checked with WCAG 2.x's contrast
// formula (relative luminance of linearised sRGB). The brand colour is a background for white
// text (primary buttons, the header's accent bar), so a colour white text fails AA on is refused;
// link and focus colours are the brand colour moved toward black (light) or white (dark) until
// they read clearly on that scheme's backgrounds. Imports nothing: pages, the API and tests share it.

/** WCAG 2.x AA for normal text. */
export const AA_CONTRAST = 4.5;
/** Text drawn on the brand colour. */
export const ON_BRAND_TEXT = '#ffffff';
/** Candor's own blue: the default, and what a page shows before anyone sets a colour. */
export const DEFAULT_BRAND_COLOUR = '#0550ae';

const HEX = /^#[0-9a-f]{6}$/;

/** "#1F6FEB", "#1f6feb" or "#16e" as lower-case #rrggbb; null when it is not a hex colour. */
export function normaliseHex(value: string): string | null {
  const text = value.trim().toLowerCase();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(text);
  const full = short ? `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}` : text;
  return HEX.test(full) ? full : null;
}

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Relative luminance as WCAG 2.x defines it (0 for black, 1 for white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, from 1 (same) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** A ratio as people read it: rounded down to two decimals, so 4.499 never shows as 4.5. */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`;
}

/**
 * Why a colour cannot be the brand colour, as the end of a sentence about the field ("must give
 * …"); null when it can. Expects #rrggbb.
 */
export function brandColourProblem(hex: string): string | null {
  const ratio = contrastRatio(hex, ON_BRAND_TEXT);
  if (ratio >= AA_CONTRAST) return null;
  return `must give white text on it a contrast ratio of at least ${AA_CONTRAST}:1 (WCAG AA); ${hex} gives only ${formatRatio(ratio)}, so choose a darker colour`;
}

/** `hex` mixed with `toward` by `amount` (0–1) in sRGB. */
function mix(hex: string, toward: string, amount: number): string {
  const a = channels(hex);
  const b = channels(toward);
  return toHex(a.map((c, i) => c + (b[i] - c) * amount));
}

/** The first mix of `hex` toward `toward` (in 5% steps) with at least `ratio` against every background. */
function readableOn(hex: string, toward: string, backgrounds: readonly string[], ratio: number): string {
  for (let step = 0; step <= 20; step++) {
    const candidate = mix(hex, toward, step / 20);
    if (backgrounds.every((bg) => contrastRatio(candidate, bg) >= ratio)) return candidate;
  }
  return toward;
}

/** The page's backgrounds in each scheme (src/styles/base.css: --bg and --card). */
const LIGHT_BACKGROUNDS = ['#ffffff', '#f6f8fa'] as const;
const DARK_BACKGROUNDS = ['#0d1117', '#161b22'] as const;
// Links also sit on tinted boxes (notices, errors), so they keep a margin above AA.
const LINK_CONTRAST = 7;
const DARK_LINK_CONTRAST = 6;

export interface BrandPalette {
  brand: string;
  onBrand: string;
  light: { link: string };
  dark: { link: string };
}

/** The accents derived from a brand colour that passed brandColourProblem. */
export function brandPalette(hex: string): BrandPalette {
  return {
    brand: hex,
    onBrand: ON_BRAND_TEXT,
    light: { link: readableOn(hex, '#000000', LIGHT_BACKGROUNDS, LINK_CONTRAST) },
    dark: { link: readableOn(hex, '#ffffff', DARK_BACKGROUNDS, DARK_LINK_CONTRAST) },
  };
}

/**
 * The CSS custom properties of a palette, for the page's <style>: light, then dark. `html:root`
 * outranks the stylesheet's `:root` wherever the build places either.
 */
export function brandCss(hex: string): string {
  const p = brandPalette(hex);
  return (
    `html:root{--brand:${p.brand};--on-brand:${p.onBrand};--link:${p.light.link};--focus:${p.light.link}}` +
    `@media (prefers-color-scheme: dark){html:root{--link:${p.dark.link};--focus:${p.dark.link}}}`
  );
}
