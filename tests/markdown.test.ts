import { expect, test } from 'vitest';
import { renderMarkdown } from '../src/domain/markdown.ts';

test('Markdown renders to HTML', () => {
  const html = renderMarkdown('We are **investigating**.\n\n- one\n- two\n\n[status](https://example.com)');
  expect(html).toContain('<strong>investigating</strong>');
  expect(html).toContain('<li>one</li>');
  expect(html).toContain('<a href="https://example.com" rel="nofollow noopener noreferrer">status</a>');
});

test('no script survives, whatever is typed', () => {
  const attacks = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload=alert(1)></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
  ];
  for (const attack of attacks) {
    const html = renderMarkdown(attack);
    expect(html).not.toMatch(/<script|onerror|onload|javascript:|<iframe|<svg|style=/i);
  }
});
