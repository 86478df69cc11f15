// The lint's prose checks, on the sentences and words retext-english finds (unified/nlcst): staff
// instead of "we", blame on a person or a vendor, vague durations and hedged impact
// (retext-intensify's hedges), dismissive promises, jargon, and words that look like internal
// system names or code. Findings go through the caller's `add`, which keeps one per stretch.
import type { Root, Sentence, SentenceContent, Word } from 'nlcst';
import { search } from 'nlcst-search';
import { toString } from 'nlcst-to-string';
import retextEnglish from 'retext-english';
import retextIntensify from 'retext-intensify';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import type { LintRule } from './lint-rules.ts';
import { LINT_RULES } from './lint-rules.ts';
import {
  COMPANY_BEFORE_OPERATOR,
  COMPOUND_LINKS,
  DISMISSIVE,
  IMPACT_HEDGES,
  IMPACT_VERBS,
  PERSON_FAILURE,
  ROLE_WORDS,
  SOMEONE,
  SYSTEM_NOUNS,
  SYSTEM_PARTS,
  VAGUE_DURATIONS,
  VENDOR_BLAME,
  VENDOR_WORDS,
} from './lint-phrases.ts';
import { roleWording, type Vocabulary } from './lint-vocabulary.ts';

const processor = unified().use(retextEnglish).use(retextIntensify).freeze();

export type AddFinding = (rule: LintRule, index: number, match: string, message: string, suggestion?: string) => void;

export interface ProseContext {
  vocabulary: Vocabulary;
  isPublic: (word: string) => boolean;
  /** Patterns for the names of the review's people. */
  people: RegExp[];
}

interface Span {
  start: number;
  end: number;
  /** The phrase of the list that matched. */
  phrase: string;
}

const spanOf = (nodes: SentenceContent[], phrase = ''): Span => ({
  start: nodes[0].position!.start.offset!,
  end: nodes[nodes.length - 1].position!.end.offset!,
  phrase,
});

/** Where the phrases occur in the text, in order (one search of the whole tree per list). */
function find(tree: Root, phrases: string[]): Span[] {
  const spans: Span[] = [];
  search(
    tree,
    phrases,
    (nodes, _index, _parent, phrase) => {
      spans.push(spanOf(nodes, phrase));
    },
    { allowLiterals: true },
  );
  return spans.sort((a, b) => a.start - b.start);
}

/** Runs every prose check on `text`. */
export function lintProse(text: string, ctx: ProseContext, add: AddFinding): void {
  const file = new VFile(text);
  const tree = processor.parse(file);
  processor.runSync(tree, file);
  // Hedges retext-intensify found, by where they start.
  const hedges = file.messages
    .filter((m) => IMPACT_HEDGES.has(String(m.actual ?? '').toLowerCase()) && m.place && 'start' in m.place)
    .map((m) => (m.place as { start: { offset?: number } }).start.offset!);
  const slice = (s: Span) => text.slice(s.start, s.end);
  const found = {
    staff: find(tree, ROLE_WORDS),
    someone: find(tree, SOMEONE),
    failure: find(tree, PERSON_FAILURE),
    vendor: find(tree, VENDOR_WORDS),
    vendorBlame: find(tree, VENDOR_BLAME),
    vague: find(tree, VAGUE_DURATIONS),
    dismissive: find(tree, DISMISSIVE),
    jargon: find(
      tree,
      ctx.vocabulary.jargon.map((j) => j.term),
    ),
  };

  visit(tree, 'SentenceNode', (sentence: Sentence) => {
    const { start: from, end: to } = spanOf(sentence.children);
    const sentenceText = text.slice(from, to);
    const here = (list: keyof typeof found) => found[list].filter((s) => s.start >= from && s.end <= to);

    // Staff instead of "we"; "the network operator" is a company, not our staff.
    const staff = here('staff').filter(
      (s) => !(/^operators?$/i.test(slice(s)) && COMPANY_BEFORE_OPERATOR.test(text.slice(from, s.start))),
    );
    for (const s of staff)
      add('roles', s.start, slice(s), `"${slice(s)}" names our staff. ${why('roles')}: speak as one company.`, 'we');

    // Blame on a person: someone (staff, a named person, "someone") and a failure of theirs.
    const someone =
      staff.length > 0 || here('someone').length > 0 || ctx.people.some((p) => new RegExp(p.source).test(sentenceText));
    if (someone) {
      for (const s of here('failure'))
        add(
          'blame',
          s.start,
          slice(s),
          `"${slice(s)}" puts the failure on a person. ${why('blame')}: say what our process allowed to happen.`,
          LINT_RULES.blame.fix,
        );
    }
    // Blame on a vendor, in any words.
    const vendors = here('vendor').filter(
      (s) => !/^operator$/i.test(slice(s)) || COMPANY_BEFORE_OPERATOR.test(text.slice(from, s.start)),
    );
    if (vendors.length > 0) {
      for (const s of here('vendorBlame').filter((b) => b.start > vendors[0].start - 60))
        add(
          'blame',
          s.start,
          slice(s),
          `"${slice(s)}" puts the failure on a third party. ${why('blame')}: our dependencies are ours.`,
          'a failure in a service we depend on, which we did not protect you from',
        );
    }

    for (const s of here('vague'))
      add(
        'vague',
        s.start,
        slice(s),
        `"${slice(s)}" does not say how long. ${why('vague')}.`,
        'for 23 minutes (the exact span)',
      );
    // Hedged impact: "may have noticed", "could possibly have been delayed".
    const words = sentence.children.filter((n): n is Word => n.type === 'WordNode');
    for (const at of hedges.filter((h) => h >= from && h < to)) {
      const next = words.filter((w) => w.position!.start.offset! >= at).slice(0, 6);
      const verb = next.find((w) => IMPACT_VERBS.includes(toString(w).toLowerCase()));
      if (verb) {
        const match = text.slice(at, verb.position!.end.offset);
        add(
          'vague',
          at,
          match,
          `"${match}" hedges the impact. ${why('vague')}.`,
          'customers in eu-west-1 saw errors (who, and what they saw)',
        );
      }
    }

    for (const s of here('dismissive'))
      add(
        'dismissive',
        s.start,
        slice(s),
        `"${slice(s)}" is dismissive or defensive. ${why('dismissive')}.`,
        LINT_RULES.dismissive.fix,
      );

    for (const s of here('jargon')) {
      const entry = ctx.vocabulary.jargon.find((j) => j.term === s.phrase)!;
      add('jargon', s.start, slice(s), `"${slice(s)}" is operations jargon. ${why('jargon')}.`, entry.customer);
    }

    checkWords(text, words, ctx, add);
  });
}

const why = (rule: LintRule) => {
  const text: string = LINT_RULES[rule].why;
  return text[0].toUpperCase() + text.slice(1);
};

const ARTICLES = new Set(['the', 'our', 'a', 'an', 'its', 'their']);

/** Words that look like internal names, code, or abbreviations nobody spelt out. */
function checkWords(text: string, words: Word[], ctx: ProseContext, add: AddFinding): void {
  words.forEach((node, i) => {
    const raw = toString(node);
    const word = raw.replace(/^[("'“‘]+|[.,;:!?)"'”’]+$/g, '');
    if (!word) return;
    const index = node.position!.start.offset! + raw.indexOf(word);
    // A capitalised code name before a kind of system: "our Hermes pipeline".
    const noun = words[i + 1] && toString(words[i + 1]).toLowerCase();
    if (
      i > 0 &&
      ARTICLES.has(toString(words[i - 1]).toLowerCase()) &&
      /^[A-Z][a-z]+$/.test(word) &&
      noun &&
      SYSTEM_NOUNS.has(noun) &&
      !ctx.isPublic(word) &&
      !ctx.isPublic(`${word} ${toString(words[i + 1])}`)
    ) {
      add(
        'internal-name',
        index,
        word,
        `"${word}" looks like the code name of an internal system. ${why('internal-name')}.`,
        roleWording(ctx.vocabulary, noun) ?? LINT_RULES['internal-name'].fix,
      );
      return;
    }
    if (ctx.isPublic(word)) return;
    const kind = identifierKind(word);
    if (kind === 'code')
      add(
        'code-ref',
        index,
        word,
        `"${word}" looks like a piece of code or a commit. ${why('code-ref')}.`,
        LINT_RULES['code-ref'].fix,
      );
    else if (kind === 'name')
      add(
        'internal-name',
        index,
        word,
        `"${word}" looks like the name of an internal system. ${why('internal-name')}.`,
        roleWording(ctx.vocabulary, word) ?? LINT_RULES['internal-name'].fix,
      );
    else if (kind === 'abbreviation' && !explained(text, word))
      add(
        'jargon',
        index,
        word,
        `"${word}" is an abbreviation customers may not know. ${why('jargon')}.`,
        ctx.vocabulary.jargon.find((j) => j.term.toLowerCase() === word.toLowerCase())?.customer ??
          LINT_RULES.jargon.fix,
      );
  });
}

/** An abbreviation is explained when the text spells it out next to it: "single sign-on (SSO)" or "SSO (single sign-on)". */
function explained(text: string, abbreviation: string): boolean {
  return text.includes(`(${abbreviation})`) || text.includes(`${abbreviation} (`);
}

/** What an unknown word looks like: code, an internal system's name, an abbreviation, or nothing special. */
export function identifierKind(word: string): 'code' | 'name' | 'abbreviation' | null {
  // Commit and build ids: hexadecimal with letters and digits.
  if (/^[0-9a-f]{7,40}$/i.test(word) && /\d/.test(word) && /[a-f]/i.test(word)) return 'code';
  // camelCase is how code names things; product names with inner capitals (iPhone) are in the vocabulary.
  if (/^[a-z]+[A-Z][A-Za-z0-9]*$/.test(word)) return 'code';
  // Long random-looking tokens: tokens, keys, generated names.
  if (/^(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9]{10,}$/.test(word)) return 'code';
  if (/^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+$/.test(word)) return 'name';
  if (/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(word)) {
    const parts = word.split('-');
    // "30-day" and "24-hour" are English; "orders-db-west3" and "auth-proxy-v2" are not.
    if (/\d/.test(word) && !/^\d+-[a-z]/.test(word)) return 'name';
    if (parts.some((p) => SYSTEM_PARTS.has(p))) return 'name';
    if (parts.length >= 3 && !parts.some((p) => COMPOUND_LINKS.has(p))) return 'name';
    return null;
  }
  // Letters then digits: "mon01", "redis7", "west3".
  if (/^[a-z]{2,}\d+[a-z\d]*$/.test(word)) return 'name';
  // Short upper-case ids: "LC7", "CH2".
  if (/^[A-Z]{1,4}\d{1,3}[A-Z]?$/.test(word)) return 'name';
  if (/^[A-Z]{2,6}s?$/.test(word)) return 'abbreviation';
  return null;
}
