// The settings in the domain: the brand colour's contrast check and derived accents, what an
// uploaded image may be (by its bytes), SVG sanitising, and a change written whole or not at all,
// audited and announced on the change feed.
import { describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema/index.ts';
import { listAudit, runAs } from '../src/domain/audit.ts';
import { loadBrandAsset, removeBrandImage, setBrandImage } from '../src/domain/brand-assets.ts';
import {
  brandColourProblem,
  brandPalette,
  contrastRatio,
  formatRatio,
  normaliseHex,
  relativeLuminance,
} from '../src/domain/brand-colour.ts';
import { checkBrandImage, MAX_BRAND_IMAGE_BYTES } from '../src/domain/brand-images.ts';
import { InputError } from '../src/domain/errors.ts';
import { loadSiteSettings, SITE_DEFAULTS, updateSiteSettings } from '../src/domain/site-settings.ts';
import siteFile from '../content/site.json' with { type: 'json' };
import { freshDb } from './support/db.ts';
import { oversizedPng, TINY_PNG } from './support/images.ts';

const svg = (inner: string, attrs = '') =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"${attrs}>${inner}</svg>`);

async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('brand colour', () => {
  test('contrast follows WCAG 2.x: black on white is 21:1, #777 on white just fails AA', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    expect(relativeLuminance('#ffffff')).toBe(1);
    // The classic borderline pair: 4.48:1, shown rounded down so it never reads as passing.
    expect(formatRatio(contrastRatio('#777777', '#ffffff'))).toBe('4.47:1');
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(normaliseHex('#1F6FEB')).toBe('#1f6feb');
    expect(normaliseHex('#abc')).toBe('#aabbcc');
    expect(normaliseHex('blue')).toBeNull();
  });

  test('a colour white text fails AA on is refused with the ratio and what is needed', () => {
    expect(brandColourProblem('#0550ae')).toBeNull();
    expect(brandColourProblem('#ffcc00')).toBe(
      'must give white text on it a contrast ratio of at least 4.5:1 (WCAG AA); #ffcc00 gives only 1.51:1, so choose a darker colour',
    );
  });

  test('derived link colours read clearly in light and dark for every accepted colour', () => {
    let checked = 0;
    for (let r = 0; r < 256; r += 51)
      for (let g = 0; g < 256; g += 51)
        for (let b = 0; b < 256; b += 51) {
          const hex = `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
          if (brandColourProblem(hex)) continue;
          checked++;
          const p = brandPalette(hex);
          for (const bg of ['#ffffff', '#f6f8fa']) expect(contrastRatio(p.light.link, bg)).toBeGreaterThanOrEqual(7);
          for (const bg of ['#0d1117', '#161b22']) expect(contrastRatio(p.dark.link, bg)).toBeGreaterThanOrEqual(4.5);
          expect(contrastRatio(p.brand, p.onBrand)).toBeGreaterThanOrEqual(4.5);
        }
    expect(checked).toBeGreaterThan(50);
    // Candor's own blue keeps its light link colour unchanged.
    expect(brandPalette('#0550ae').light.link).toBe('#0550ae');
  });
});

describe('brand images', () => {
  test('PNG, JPEG and WebP are recognised by their first bytes, whatever they are called', async () => {
    expect((await checkBrandImage('logo', TINY_PNG)).contentType).toBe('image/png');
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20)]);
    expect((await checkBrandImage('logo', jpeg)).ext).toBe('jpg');
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(10)]);
    expect((await checkBrandImage('favicon', webp)).contentType).toBe('image/webp');
  });

  test('anything else, and anything too large, is refused with a message saying why', async () => {
    expect(await refusal(checkBrandImage('logo', Buffer.from('just some text')))).toBe(
      'This file is not an image Candor accepts: a logo must be a PNG, JPEG, WebP or SVG image (checked by its content, not its name).',
    );
    expect(await refusal(checkBrandImage('logo', Buffer.from('GIF89a......')))).toMatch(/^This file is a GIF image/);
    expect(await refusal(checkBrandImage('favicon', Buffer.alloc(0)))).toMatch(/favicon file is empty/);
    // Only the signature: a PNG claim without its IHDR chunk is no PNG.
    expect(await refusal(checkBrandImage('logo', TINY_PNG.subarray(0, 10)))).toMatch(/not an image/);
    const big = oversizedPng(MAX_BRAND_IMAGE_BYTES.favicon);
    expect(await refusal(checkBrandImage('favicon', big))).toBe(
      'The favicon is 129 KB; the largest accepted is 128 KB. Use a smaller or more compressed image.',
    );
  });

  test('an SVG keeps its drawing and loses editor leftovers; scripts, handlers and outside references are refused', async () => {
    const clean = await checkBrandImage(
      'logo',
      Buffer.from(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><use xlink:href="#g"/><sodipodi:namedview xmlns:sodipodi="x"/></svg>',
      ),
    );
    const text = clean.bytes.toString();
    expect(clean.contentType).toBe('image/svg+xml');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('viewBox="0 0 10 10"');
    expect(text).toContain('<linearGradient id="g">');
    expect(text).toContain('fill="url(#g)"');
    expect(text).not.toContain('namedview');

    const cases: [Buffer, string][] = [
      [svg('<script>alert(1)</script>'), 'a <script> element'],
      [svg('<rect/>', ' onload="alert(1)"'), 'an event handler attribute (onload)'],
      [svg('<image href="https://tracker.example/p.png"/>'), 'a reference to another file or address'],
      [svg('<a href="javascript:alert(1)"><text>x</text></a>'), 'a reference to another file or address'],
      [svg('<rect style="fill:url(https://x.example/a)"/>'), 'a reference to another file or address'],
      [svg('<style>@import url(https://x.example/a.css);</style>'), 'a style sheet that loads another file'],
      [svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'), 'embedded content'],
    ];
    for (const [file, why] of cases) {
      const message = await refusal(checkBrandImage('logo', file));
      expect(message, file.toString()).toContain(why);
      expect(message).toMatch(/^This SVG is refused because it contains .*remove scripts, event handlers and links/);
    }
    expect(
      await refusal(
        checkBrandImage(
          'logo',
          Buffer.from('<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ),
      ),
    ).toMatch(/DOCTYPE or entities/);
  });
});

describe('settings (domain)', () => {
  test('start from content/site.json; a change is validated whole, audited and announced', async () => {
    const { db } = await freshDb();
    expect(await loadSiteSettings(db)).toEqual(SITE_DEFAULTS);
    expect(SITE_DEFAULTS.name).toBe(siteFile.name);

    // One bad field refuses the whole change: nothing is half-written.
    const message = await refusal(updateSiteSettings(db, { name: 'Acme', timeZone: 'Mars/Olympus' }));
    expect(message).toMatch(/^Time zone must be a time zone name from the IANA database/);
    expect((await loadSiteSettings(db)).name).toBe(siteFile.name);
    expect(await refusal(updateSiteSettings(db, {}))).toMatch(/^Nothing to change/);

    const changesBefore = (await db.select().from(schema.changeEvents)).length;
    const updated = await runAs({ kind: 'user', id: 1, name: 'Ada' }, () =>
      updateSiteSettings(db, { name: 'Acme', timeZone: 'europe/paris', brandColor: '#7B2D8E' }),
    );
    expect(updated).toMatchObject({ name: 'Acme', timeZone: 'Europe/Paris', brandColor: '#7b2d8e' });
    expect(await loadSiteSettings(db)).toEqual(updated);
    const { entries } = await listAudit(db, { subjectType: 'settings' });
    expect(entries.map((e) => [e.actorName, e.action])).toEqual([['Ada', 'settings.update']]);
    expect(JSON.parse(entries[0].before!)).toEqual({
      name: siteFile.name,
      brandColor: siteFile.brandColor,
      timeZone: 'UTC',
    });
    const changes = await db.select().from(schema.changeEvents);
    expect(changes.slice(changesBefore).map((c) => [c.kind, c.subject])).toEqual([['structure', 'settings']]);

    // Saving the same values again changes nothing, so nothing is audited or announced.
    await updateSiteSettings(db, { name: 'Acme' });
    expect((await listAudit(db, { subjectType: 'settings' })).entries).toHaveLength(1);
  });

  test('a logo is stored under its content hash and named in the settings; removing it clears the name', async () => {
    const { db } = await freshDb();
    const withLogo = await setBrandImage(db, 'logo', TINY_PNG);
    expect(withLogo.logo).toMatch(/^[0-9a-f]{32}\.png$/);
    const asset = await loadBrandAsset(db, withLogo.logo!);
    expect(asset?.contentType).toBe('image/png');
    expect(Buffer.compare(asset!.bytes, TINY_PNG)).toBe(0);
    expect(await loadBrandAsset(db, '../etc/passwd')).toBeNull();
    expect((await removeBrandImage(db, 'logo')).logo).toBeNull();
    expect((await listAudit(db, { subjectType: 'settings' })).entries.map((e) => e.action)).toEqual([
      'settings.logo.remove',
      'settings.logo.set',
    ]);
  });
});
