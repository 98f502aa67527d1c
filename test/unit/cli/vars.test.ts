import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVarAssignments, readVarsFile } from '../../../src/cli/vars.js';

describe('parseVarAssignments', () => {
  it('keeps name=value as the string typed, even when it looks like a number', () => {
    expect(parseVarAssignments(['id=007', 'flag=true', 'name=Ada'])).toEqual({
      id: '007',
      flag: 'true',
      name: 'Ada',
    });
  });

  it('keeps everything after the first = in the value', () => {
    expect(parseVarAssignments(['query=a=b&c=d'])).toEqual({ query: 'a=b&c=d' });
  });

  it('parses name:=json as JSON', () => {
    expect(parseVarAssignments(['count:=3', 'on:=true', 'tags:=["a","b"]', 'user:={"id":1}'])).toEqual({
      count: 3,
      on: true,
      tags: ['a', 'b'],
      user: { id: 1 },
    });
  });

  it('lets a later assignment win', () => {
    expect(parseVarAssignments(['a=1', 'a=2'])).toEqual({ a: '2' });
  });

  it('accepts an empty value', () => {
    expect(parseVarAssignments(['context='])).toEqual({ context: '' });
  });

  it.each([['novalue'], ['=x'], ['bad name=x'], ['x:={not json}'], ['1abc=x']])(
    'rejects %s',
    (assignment) => {
      expect(() => parseVarAssignments([assignment])).toThrow(
        expect.objectContaining({ code: 'cli.invalid_var' }),
      );
    },
  );
});

describe('readVarsFile', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'opm-vars-'));
  const write = (name: string, text: string) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads a JSON object of values', () => {
    expect(readVarsFile(write('v.json', '{"ticket":"hi","n":2}'))).toEqual({ ticket: 'hi', n: 2 });
  });

  it('reads a YAML object when the extension says so', () => {
    expect(readVarsFile(write('v.yaml', 'ticket: hi\nn: 2\n'))).toEqual({ ticket: 'hi', n: 2 });
  });

  it.each([
    ['a JSON array', 'a.json', '[1,2]'],
    ['invalid JSON', 'b.json', '{nope'],
  ])('rejects %s', (_label, name, text) => {
    expect(() => readVarsFile(write(name, text))).toThrow(
      expect.objectContaining({ code: 'cli.invalid_vars_file' }),
    );
  });

  it('rejects a missing file', () => {
    expect(() => readVarsFile(path.join(folder, 'missing.json'))).toThrow(
      expect.objectContaining({ code: 'cli.invalid_vars_file' }),
    );
  });
});
