// Markdown written by staff is rendered with marked, then sanitised with sanitize-html: the
// rendered HTML is treated as untrusted, so nothing executable survives whatever is typed.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: true, async: false });

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], th: ['align'], td: ['align'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  // Headings written as h1/h2 would fight the page's own outline; demote them.
  transformTags: {
    h1: 'h3',
    h2: 'h4',
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
};

// Rendering is a pure function of the text and costs far more than the rest of a card (sanitising
// above all), and after a change a page renders again mostly the same updates: recently rendered
// texts are kept, the least recently used dropped first (only texts of ordinary length, so the
// memory this holds stays small).
const RENDERED_LIMIT = 2_000;
const RENDERED_MAX_LENGTH = 4_096;
const rendered = new Map<string, string>();

export function renderMarkdown(source: string): string {
  const known = rendered.get(source);
  if (known !== undefined) {
    rendered.delete(source);
    rendered.set(source, known);
    return known;
  }
  const html = sanitizeHtml(marked.parse(source) as string, SANITIZE_OPTIONS);
  if (source.length > RENDERED_MAX_LENGTH) return html;
  if (rendered.size >= RENDERED_LIMIT) rendered.delete(rendered.keys().next().value!);
  rendered.set(source, html);
  return html;
}

/**
 * Text written elsewhere (an import), stored as Markdown source: markup that could never survive
 * rendering (scripts, styles, event handlers, other tags) is taken out now, so what Candor keeps and
 * serves in its JSON is already clean. Plain text and Markdown come through unchanged; a literal
 * "<" outside a tag stays escaped (&lt;), which renders as "<".
 */
export function sanitizeImportedText(source: string): string {
  if (!/[<&]/.test(source)) return source;
  return sanitizeHtml(source, {
    ...SANITIZE_OPTIONS,
    transformTags: {},
    // sanitize-html escapes text for HTML; Markdown wants its "&", ">" and quotes back.
    textFilter: (text) =>
      text
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
  });
}
