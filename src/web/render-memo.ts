// Markup remembered by everything it is made from. After a change the page cache is dropped and
// pages render again, but a long history shows mostly the same incidents as before: each card
// costs tens of microseconds to render through Astro and a few to look up here. The key is the
// whole input written out, so a card is reused only where rendering it again would give the
// same markup, whoever reads it.
const LIMIT = 500;

const remembered = new Map<string, string>();

/** `render()`'s markup for `input` (JSON-serialisable, naming the component), rendered on first use. */
export async function rememberedHtml(input: unknown, render: () => Promise<string>): Promise<string> {
  const key = JSON.stringify(input);
  const hit = remembered.get(key);
  if (hit !== undefined) {
    // Least recently used goes first: move it to the end.
    remembered.delete(key);
    remembered.set(key, hit);
    return hit;
  }
  const html = await render();
  if (remembered.size >= LIMIT) remembered.delete(remembered.keys().next().value!);
  remembered.set(key, html);
  return html;
}
