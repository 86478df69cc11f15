// What text and ids Candor accepts, decided in one place each (src/domain/text-rules.ts and
// src/domain/input.ts) and applied by parseInput to every domain write: tabs and line breaks are
// text, other control characters and lone surrogates are not, and an id has exactly one spelling.
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { type InputError, parseInput } from '../src/domain/errors.ts';
import { canonicalId, idSchema, timeInput } from '../src/domain/input.ts';
import { inspectText, MAX_INPUT_DEPTH } from '../src/domain/text-rules.ts';

const problemsIn = (value: unknown) => inspectText(value).problems.map((p) => `${p.path.join('.')}: ${p.text}`);

describe('text', () => {
  test('tabs, line breaks (LF and CRLF) and every script pass; other C0 controls, DEL and lone surrogates are named', () => {
    expect(problemsIn({ message: 'Line one\r\nLine two\n\tindented — Größe, 東京, 🚨' })).toEqual([]);
    expect(problemsIn({ title: 'Database\u0000 down' })).toEqual([
      'title: must not contain the control character U+0000 (at character 9)',
    ]);
    expect(problemsIn({ a: 'bell\u0007', b: ['ok', 'del\u007f'], c: 'half \ud83d' })).toEqual([
      'a: must not contain the control character U+0007 (at character 5)',
      'b.1: must not contain the control character U+007F (at character 4)',
      'c: must be valid Unicode text (it holds a lone surrogate)',
    ]);
  });

  test('parseInput refuses a NUL in any field, even one the schema ignores or a key, naming where it is', () => {
    const schema = z.object({ title: z.string() });
    expect(parseInput(schema, { title: 'Fine\ttext' })).toEqual({ title: 'Fine\ttext' });
    const refused = (input: unknown) => {
      try {
        parseInput(schema, input);
      } catch (error) {
        return (error as InputError).details;
      }
      throw new Error('accepted');
    };
    expect(refused({ title: 'Cut\u0000short' })).toEqual([
      'title: Title must not contain the control character U+0000 (at character 4)',
    ]);
    expect(refused({ title: 'ok', extra: { deeper: 'x\u001by' } })).toEqual([
      'extra.deeper: Deeper must not contain the control character U+001B (at character 2)',
    ]);
    expect(refused({ title: 'ok', 'bad\u0000key': 1 })).toEqual([
      'input: The input has a field name that must not contain the control character U+0000 (at character 4)',
    ]);
    // Both kinds of problem are reported together.
    expect(refused({ title: 3, note: '\u0001' })).toEqual([
      'note: Note must not contain the control character U+0001 (at character 1)',
      'title: Title must be text',
    ]);
  });

  test('input nested deeper than any Candor reads is refused before the schema looks at it', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 5000; i++) deep = [deep];
    const { tooDeep } = inspectText({ status: deep });
    expect(tooDeep).toBe(true);
    try {
      parseInput(z.object({ status: z.string() }), { status: deep });
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).details).toEqual([
        `status${'.0'.repeat(MAX_INPUT_DEPTH - 1)}: Status (0, …) is nested too deeply (more than ${MAX_INPUT_DEPTH} levels)`,
      ]);
    }
  });
});

describe('ids, numbers and times', () => {
  test('an id is a whole number from 1 written one way, within the safe integer range', () => {
    for (const good of ['1', '42', 42, '9007199254740991']) expect(canonicalId(good)).toBe(Number(good));
    for (const bad of [
      ' 1',
      '1 ',
      '01',
      '+1',
      '-1',
      '0',
      '1.0',
      '1e3',
      '0x10',
      '',
      '9999999999999999999',
      0,
      -1,
      1.5,
      2 ** 53,
      null,
      true,
      [1],
    ]) {
      expect(canonicalId(bad), JSON.stringify(bad)).toBeNull();
    }
    const ids = z.array(idSchema('must be component ids'));
    expect(parseInput(ids, [3, '4'])).toEqual([3, 4]);
    expect(() => parseInput(ids, ['03'])).toThrow('Item 1 must be component ids');
    expect(() => parseInput(ids, [true])).toThrow('Item 1 must be component ids');
  });

  test('times are text or milliseconds; true, null and lists are not 1970', () => {
    const schema = z.object({ at: timeInput() });
    expect(parseInput(schema, { at: '2030-01-02T03:04:05Z' })).toEqual({ at: Date.UTC(2030, 0, 2, 3, 4, 5) });
    expect(parseInput(schema, { at: 1_900_000_000_000 })).toEqual({ at: 1_900_000_000_000 });
    for (const bad of [true, null, [2020], {}, 'soon'])
      expect(() => parseInput(schema, { at: bad }), JSON.stringify(bad)).toThrow('Time must be a date and time');
  });
});
