// The one rule for text anyone sends Candor, whatever the field: no C0 control characters but tab,
// line feed and carriage return, no DEL, and well-formed Unicode. A NUL cuts text short in C
// libraries, email headers and terminals, and a lone surrogate cannot be written as UTF-8, so
// such text is refused with the field named instead of being stored and shown differently later.
// Imports nothing, so both the domain (parseInput) and the web edge (readForm) use it.

// Tab, LF and CR are how people write multi-line text; every other C0 control and DEL is not.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Deeper than anything Candor reads (an Alertmanager label is four levels down). */
export const MAX_INPUT_DEPTH = 32;

const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** What is wrong with one string, in words, or null when it is fine. */
export function textProblem(value: string): string | null {
  const control = CONTROL.exec(value);
  if (control)
    return `must not contain the control character ${codePoint(control[0])} (at character ${control.index + 1})`;
  if (!value.isWellFormed()) return 'must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] =>
  Array.isArray(value) ||
  (typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value)));

/** A string that breaks the rule: where it is and what is wrong ("must not contain …"). */
export interface TextProblem {
  path: string[];
  text: string;
}

/**
 * Every string in a plain value (object keys included) that breaks the rule, with the path of its field.
 * A value nested deeper than MAX_INPUT_DEPTH is a problem too (`tooDeep`), and is not looked into
 * further. Walks with its own stack, so no input can exhaust the call stack.
 */
export function inspectText(input: unknown): { problems: TextProblem[]; tooDeep: boolean } {
  const problems: TextProblem[] = [];
  let tooDeep = false;
  // Children are pushed last-first, so problems come out in the order the fields were sent.
  const stack: { value: unknown; path: string[]; named: boolean }[] = [{ value: input, path: [], named: false }];
  while (stack.length) {
    const { value, path, named } = stack.pop()!;
    const keyProblem = named ? textProblem(path[path.length - 1]) : null;
    if (keyProblem) problems.push({ path: path.slice(0, -1), text: `has a field name that ${keyProblem}` });
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push({ path, text: problem });
    } else if (isContainer(value)) {
      if (path.length >= MAX_INPUT_DEPTH) {
        tooDeep = true;
        problems.push({ path, text: `is nested too deeply (more than ${MAX_INPUT_DEPTH} levels)` });
        continue;
      }
      const named = !Array.isArray(value);
      for (const [key, item] of Object.entries(value).reverse())
        stack.push({ value: item, path: [...path, key], named });
    }
  }
  return { problems, tooDeep };
}
