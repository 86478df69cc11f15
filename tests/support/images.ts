// Small real image files for upload tests, built here rather than shipped as binaries.

/** A 1×1 purple PNG (signature, IHDR, IDAT, IEND with their CRCs), as Python's zlib wrote it. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGOo1u37DwAEkwI23TAmggAAAABJRU5ErkJggg==',
  'base64',
);

/** A plain SVG logo: a purple badge with a word on it. */
export const LOGO_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32"><rect width="120" height="32" rx="6" fill="#7b2d8e"/><text x="12" y="22" fill="#ffffff" font-family="sans-serif" font-size="16">Acme</text></svg>',
);

/** An SVG with a script in it. */
export const SCRIPTED_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>',
);

/** Bytes that start like a PNG but are padded past `bytes`: too large, whatever else they are. */
export function oversizedPng(bytes: number): Buffer {
  return Buffer.concat([TINY_PNG, Buffer.alloc(bytes + 1 - TINY_PNG.length)]);
}
