import { describe, expect, it } from 'vitest';
import { PromptyError } from '../../../src/prompty/errors.js';
import { parseFrontMatter, splitFrontMatter } from '../../../src/prompty/front-matter.js';

function parseError(text: string): PromptyError {
  try {
    parseFrontMatter(splitFrontMatter(text), '/p/x.prompty');
  } catch (error) {
    if (error instanceof PromptyError) return error;
    throw error;
  }
  throw new Error('expected a PromptyError');
}

describe('splitFrontMatter', () => {
  it('splits the YAML between the delimiters from the body', () => {
    expect(splitFrontMatter('---\nname: test\n---\nHello world')).toEqual({
      frontMatter: 'name: test',
      body: 'Hello world',
      frontMatterLine: 2,
      bodyLine: 4,
    });
  });

  it('treats a file without front matter as all body', () => {
    const split = splitFrontMatter('system:\nHello\nuser:\nHi\n');
    expect(split.frontMatter).toBeNull();
    expect(split.body).toBe('system:\nHello\nuser:\nHi');
    expect(split.bodyLine).toBe(1);
  });

  it('accepts an empty front matter', () => {
    expect(splitFrontMatter('---\n---\nBody only')).toMatchObject({ frontMatter: '', body: 'Body only' });
  });

  it('allows blank lines and indentation before the opening delimiter', () => {
    expect(splitFrontMatter('\n\n  ---\nname: test\n---\nBody')).toMatchObject({
      frontMatter: 'name: test',
      body: 'Body',
      frontMatterLine: 4,
    });
  });

  it('does not close the front matter at a --- inside a YAML value', () => {
    const split = splitFrontMatter('---\nname: a---b\ndescription: x --- y\n---\nBody');
    expect(split.frontMatter).toBe('name: a---b\ndescription: x --- y');
    expect(split.body).toBe('Body');
  });

  it('strips a byte order mark and normalises CRLF line endings', () => {
    const split = splitFrontMatter('\uFEFF---\r\nname: test\r\n---\r\nsystem:\r\nHi\r\n');
    expect(split.frontMatter).toBe('name: test');
    expect(split.body).toBe('system:\nHi');
  });

  it('drops leading blank lines and trailing whitespace of the body and counts its first line', () => {
    const split = splitFrontMatter('---\na: 1\n---\n\n\n  system:\nHi  \n\n');
    expect(split.body).toBe('  system:\nHi');
    expect(split.bodyLine).toBe(6);
  });

  it('accepts +++ delimiters (v2 spec and Python), closed by the same delimiter', () => {
    expect(splitFrontMatter('+++\nname: test\n+++\nHello')).toMatchObject({
      frontMatter: 'name: test',
      body: 'Hello',
    });
    expect(splitFrontMatter('+++\nname: test\n---\nHello').frontMatter).toBeNull();
  });

  it('treats an unclosed opening delimiter as body', () => {
    expect(splitFrontMatter('---\nname: x\nno closing')).toMatchObject({ frontMatter: null });
  });

  it('does not take a --- later in the body as front matter', () => {
    expect(splitFrontMatter('Hello\n---\nname: x\n---\n')).toMatchObject({ frontMatter: null });
  });
});

describe('parseFrontMatter', () => {
  it('returns the mapping as plain data', () => {
    const parsed = parseFrontMatter(splitFrontMatter('---\nname: x\nmodel:\n  id: gpt-4\n---\nB'));
    expect(parsed.data).toEqual({ name: 'x', model: { id: 'gpt-4' } });
  });

  it('locates keys by their line and column in the file', () => {
    const parsed = parseFrontMatter(splitFrontMatter('\n---\nname: x\nmodel:\n  id: gpt-4\n---\nB'));
    expect(parsed.locate(['model', 'id'])).toEqual({ line: 5, column: 3 });
    expect(parsed.locate(['name'])).toEqual({ line: 3, column: 1 });
  });

  it('reports malformed YAML with the line and column in the file', () => {
    const error = parseError('\n---\nname: test\ninputs: [a, b\n---\nHello');
    expect(error.code).toBe('prompty.invalid_front_matter');
    expect(error.details).toMatchObject({ file: '/p/x.prompty', line: 4, column: 14 });
    expect(error.message).toMatch(/^Invalid frontmatter/);
  });

  it('offsets YAML positions by the lines before the front matter', () => {
    const error = parseError('---\nname: test\nmodel:\n  id: a\n   bad: b\n---\n');
    expect(error.details).toMatchObject({ line: 4, column: 7 });
    expect(parseError('\n\n---\nname: test\n\tbad: 1\n---\n').details).toMatchObject({ line: 5, column: 1 });
  });

  it('refuses a duplicated key', () => {
    expect(parseError('---\nname: a\nname: b\n---\n').code).toBe('prompty.invalid_front_matter');
  });

  it.each([
    ['a list', '---\n- a\n- b\n---\nBody'],
    ['a scalar', '---\njust text\n---\nBody'],
  ])('refuses front matter that is %s instead of a mapping', (_kind, text) => {
    const error = parseError(text);
    expect(error.code).toBe('prompty.invalid_front_matter');
    expect(error.details).toMatchObject({ line: 2, column: 1 });
  });

  it('keeps a __proto__ key as plain data without touching prototypes', () => {
    const parsed = parseFrontMatter(splitFrontMatter('---\n__proto__:\n  polluted: 1\n---\n'));
    expect(Object.getPrototypeOf(parsed.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
