// Checks an uploaded logo or favicon before it is stored: its type is read from its first bytes
// (never from its name or the declared content type), its size is limited, and an SVG goes
// through DOMPurify (on jsdom, loaded only when an SVG arrives). An SVG carrying a script, an
// event handler, embedded HTML or a reference to anything outside itself is refused with a
// message saying what to remove; harmless editor leftovers (metadata, Inkscape attributes) are
// dropped, and only the sanitised SVG is kept.
import { InputError } from './errors.ts';

export const BRAND_IMAGE_KINDS = ['logo', 'favicon'] as const;
export type BrandImageKind = (typeof BRAND_IMAGE_KINDS)[number];

export const BRAND_IMAGE_LABELS: Record<BrandImageKind, string> = { logo: 'logo', favicon: 'favicon' };

/** The largest file accepted of each kind. */
export const MAX_BRAND_IMAGE_BYTES: Record<BrandImageKind, number> = { logo: 512 * 1024, favicon: 128 * 1024 };

export interface CheckedImage {
  bytes: Buffer;
  contentType: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/svg+xml';
  ext: 'png' | 'jpg' | 'webp' | 'svg';
}

const ACCEPTED = 'PNG, JPEG, WebP or SVG';

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024).toLocaleString('en')} KB`;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((b, i) => bytes[at + i] === b);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The raster type the bytes are, by signature; null when they are none of them. */
function rasterType(bytes: Uint8Array): Omit<CheckedImage, 'bytes'> | null {
  // PNG: its 8-byte signature, then the IHDR chunk every PNG starts with.
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) && startsWith(bytes, ascii('IHDR'), 12))
    return { contentType: 'image/png', ext: 'png' };
  // JPEG: start-of-image, then a marker.
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', ext: 'jpg' };
  // WebP: a RIFF container of form WEBP.
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8))
    return { contentType: 'image/webp', ext: 'webp' };
  return null;
}

/** Other formats people try, named so the refusal says what the file is. */
function knownOtherType(bytes: Uint8Array): string | null {
  if (startsWith(bytes, ascii('GIF8'))) return 'a GIF image';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'an ICO icon';
  if (startsWith(bytes, ascii('%PDF'))) return 'a PDF document';
  if (startsWith(bytes, ascii('BM'))) return 'a BMP image';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive';
  return null;
}

const SVG_START = /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>/]/;

function asSvgText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  text = text.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(text.slice(0, 4096)) && /<svg[\s>/]/.test(text)) {
    throw new InputError(
      'This SVG declares a DOCTYPE or entities, which are not accepted (they can pull in other files). Remove the <!DOCTYPE …> part and upload it again.',
    );
  }
  return SVG_START.test(text) ? text : null;
}

/**
 * The image as it will be stored and served, or an InputError saying in plain words why not.
 * `kind` picks the size limit and names the file in messages.
 */
export async function checkBrandImage(kind: BrandImageKind, data: Uint8Array): Promise<CheckedImage> {
  const label = BRAND_IMAGE_LABELS[kind];
  if (data.length === 0) throw new InputError(`The ${label} file is empty. Choose a ${ACCEPTED} image.`);
  const max = MAX_BRAND_IMAGE_BYTES[kind];
  if (data.length > max)
    throw new InputError(
      `The ${label} is ${kib(data.length)}; the largest accepted is ${kib(max)}. Use a smaller or more compressed image.`,
    );
  const raster = rasterType(data);
  if (raster) return { ...raster, bytes: Buffer.from(data) };
  const svg = asSvgText(data);
  if (svg !== null) return { contentType: 'image/svg+xml', ext: 'svg', bytes: Buffer.from(await sanitiseSvg(svg)) };
  const other = knownOtherType(data);
  throw new InputError(
    `This file is ${other ?? 'not an image Candor accepts'}: a ${label} must be a ${ACCEPTED} image (checked by its content, not its name).`,
  );
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const EMBEDDING = new Set(['foreignobject', 'iframe', 'embed', 'object']);
// A raster picture inside the file itself is no reference to anything else.
const INLINE_RASTER = /^data:image\/(png|jpeg|gif|webp);base64,/i;
// url(...) pointing anywhere but inside the file itself (url(#gradient) is fine).
const EXTERNAL_URL = /url\(\s*['"]?\s*(?!#)[^)'"\s]/i;

interface Purifier {
  sanitize: (svg: string) => { svg: string | null; problems: string[] };
}

let purifier: Promise<Purifier> | undefined;

/** DOMPurify on a jsdom window, built once on the first SVG (neither is loaded before). */
function loadPurifier(): Promise<Purifier> {
  purifier ??= (async () => {
    const [{ JSDOM }, { default: createDOMPurify }] = await Promise.all([import('jsdom'), import('dompurify')]);
    const { window } = new JSDOM('');
    const purify = createDOMPurify(window);
    let problems: string[] = [];
    const note = (problem: string) => {
      if (!problems.includes(problem)) problems.push(problem);
    };
    purify.addHook('uponSanitizeAttribute', (_node, data) => {
      const name = data.attrName.toLowerCase();
      const value = data.attrValue.trim();
      if (/^on/.test(name)) {
        note(`an event handler attribute (${data.attrName})`);
        data.keepAttr = false;
      } else if (
        (name === 'href' || name === 'xlink:href' || name === 'src') &&
        !value.startsWith('#') &&
        !INLINE_RASTER.test(value)
      ) {
        note(`a reference to another file or address (${data.attrName}="${value.slice(0, 60)}")`);
        data.keepAttr = false;
      } else if (EXTERNAL_URL.test(value)) {
        note(`a reference to another file or address (${data.attrName}="${value.slice(0, 60)}")`);
        data.keepAttr = false;
      }
    });
    purify.addHook('uponSanitizeElement', (node, data) => {
      const tag = data.tagName.toLowerCase();
      if (tag === 'script') note('a <script> element');
      else if (EMBEDDING.has(tag)) note(`embedded content (<${(node as Element).tagName}>)`);
      else if (
        tag === 'style' &&
        (/@import/i.test(node.textContent ?? '') || EXTERNAL_URL.test(node.textContent ?? ''))
      )
        note('a style sheet that loads another file (@import or url(…))');
    });
    const serializer = new window.XMLSerializer();
    return {
      sanitize: (svg: string) => {
        problems = [];
        const body = purify.sanitize(svg, {
          USE_PROFILES: { svg: true, svgFilters: true },
          // <use> is safe here: the hook above keeps only references inside the file (#id).
          ADD_TAGS: ['use'],
          RETURN_DOM: true,
        });
        const root = (body as unknown as Element).firstElementChild;
        const ok = root !== null && root.localName === 'svg' && root.namespaceURI === SVG_NS;
        return { svg: ok ? serializer.serializeToString(root) : null, problems: [...problems] };
      },
    };
  })();
  return purifier;
}

/** The SVG with nothing executable or external left; refused when it had any. */
export async function sanitiseSvg(svg: string): Promise<string> {
  const { sanitize } = await loadPurifier();
  const { svg: clean, problems } = sanitize(svg);
  if (problems.length)
    throw new InputError(
      `This SVG is refused because it contains ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}. A logo must be a plain drawing: remove scripts, event handlers and links to other files, then upload it again.`,
    );
  if (clean === null)
    throw new InputError(
      'This SVG could not be read: it must be well-formed XML with an <svg xmlns="http://www.w3.org/2000/svg"> root element.',
    );
  return clean;
}
