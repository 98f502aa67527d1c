import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lintPromptFiles } from '../../../src/registry/index.js';
import { createTempPrompts, simplePrompt, type TempPrompts } from '../../support/temp-prompts.js';

/** Built at run time so the source holds no template-literal-looking string. */
const ENV_REF = ['$', '{env:OPM_TEST_UNSET_KEY}'].join('');

let temp: TempPrompts | undefined;
const cleanups: string[] = [];
afterEach(() => {
  temp?.remove();
  for (const folder of cleanups.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function lint(files: Record<string, string>, env: Record<string, string> = {}) {
  temp = createTempPrompts(files);
  const root = temp.root;
  const report = lintPromptFiles(
    Object.keys(files).map((file) => path.join(root, file)),
    { root, env },
  );
  return { report, codes: report.diagnostics.map((d) => `${d.severity} ${d.code}`), root };
}

describe('lintPromptFiles', () => {
  it('finds nothing in a valid prompt', () => {
    expect(lint({ 'a/ok.prompty': simplePrompt() }).report).toEqual({
      files: 1,
      errors: 0,
      warnings: 0,
      diagnostics: [],
    });
  });

  it('reports a YAML error at its line and column in the file', () => {
    const { report } = lint({ 'bad.prompty': '---\nname: x\nmodel: [oops\n---\nHi\n' });
    expect(report.diagnostics[0]).toMatchObject({
      line: 3,
      severity: 'error',
      code: 'prompty.invalid_front_matter',
    });
  });

  it('reports a template syntax error at its line in the file', () => {
    const { report } = lint({ 'bad.prompty': '---\nname: x\n---\nsystem:\nfine\n{% for x in %}\n' });
    expect(report.diagnostics[0]).toMatchObject({ line: 6, code: 'prompty.template_syntax' });
  });

  it('reports a forbidden template construct as an error', () => {
    const { codes } = lint({ 'bad.prompty': '---\nname: x\n---\n{{ x.__proto__ }}\n' });
    expect(codes).toEqual(['error prompty.template_forbidden']);
  });

  it('reports an undeclared variable as an error and an unused input as a warning', () => {
    const text = simplePrompt().replace('{{person}}', '{{persn}}');
    const { report } = lint({ 'typo.prompty': text });
    expect(report.diagnostics.map((d) => [d.line, d.severity, d.code])).toEqual([
      [8, 'warning', 'validate.unused_input'],
      [16, 'error', 'validate.undeclared_variable'],
    ]);
  });

  it('does not count loop variables or set names as undeclared', () => {
    const text = `---\nname: x\ninputs:\n  - name: items\n    kind: array\n    items:\n      kind: string\n---\n{% set sep = ", " %}{% for it in items %}{{ it }}{{ sep }}{{ loop.index }}{% endfor %}\n`;
    expect(lint({ 'loop.prompty': text }).report.diagnostics).toEqual([]);
  });

  it('does not warn about a thread input the template never places (it is appended)', () => {
    const text = `---\nname: x\ninputs:\n  - name: history\n    kind: thread\n---\nsystem:\nBe brief.\n`;
    expect(lint({ 'chat.prompty': text }).report.diagnostics).toEqual([]);
  });

  it('treats v1 sample keys as declared', () => {
    const text = `---\nname: x\nmodel:\n  api: chat\nsample:\n  question: hi\n---\nsystem:\n{{question}}\n`;
    expect(lint({ 'v1.prompty': text }).codes).not.toContain('error validate.undeclared_variable');
  });

  it('reports unknown fields as warnings', () => {
    const text = simplePrompt().replace('name: hello', 'name: hello\ncolour: blue');
    expect(lint({ 'extra.prompty': text }).codes).toEqual(['warning prompty.unknown_field']);
  });

  it('reports an unset env reference as a warning at its line, and keeps checking the file', () => {
    const text = simplePrompt()
      .replace(
        'provider: openrouter',
        `provider: openrouter\n  connection:\n    kind: key\n    apiKey: ${ENV_REF}`,
      )
      .replace('{{person}}', '{{persn}}');
    const { report } = lint({ 'env.prompty': text });
    expect(report.diagnostics.map((d) => [d.line, d.column, d.severity, d.code])).toEqual([
      [9, 13, 'warning', 'prompty.env_not_set'],
      [11, 11, 'warning', 'validate.unused_input'],
      [19, 15, 'error', 'validate.undeclared_variable'],
    ]);
  });

  it('reports an unset env reference as an error with requireEnv', () => {
    temp = createTempPrompts({
      'env.prompty': simplePrompt().replace(
        'provider: openrouter',
        `provider: openrouter\n  connection:\n    kind: key\n    apiKey: ${ENV_REF}`,
      ),
    });
    const report = lintPromptFiles([path.join(temp.root, 'env.prompty')], {
      root: temp.root,
      requireEnv: true,
    });
    expect(report.diagnostics.map((d) => [d.line, d.severity, d.code])).toEqual([
      [9, 'error', 'prompty.env_not_set'],
    ]);
  });

  it('uses the env when the variable is set', () => {
    const text = simplePrompt().replace(
      'provider: openrouter',
      `provider: openrouter\n  connection:\n    kind: key\n    apiKey: ${ENV_REF}`,
    );
    expect(lint({ 'env.prompty': text }, { OPM_TEST_UNSET_KEY: 'sk-1' }).report.diagnostics).toEqual([]);
  });

  it('reports a file under the root whose path is not a valid slug', () => {
    expect(lint({ 'Acme/Upper.prompty': simplePrompt() }).codes).toEqual(['error registry.invalid_slug']);
  });

  it('reports a file that is a symlink out of the root', () => {
    temp = createTempPrompts();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'opm-outside-'));
    cleanups.push(outside);
    fs.writeFileSync(path.join(outside, 'x.prompty'), simplePrompt());
    fs.symlinkSync(path.join(outside, 'x.prompty'), path.join(temp.root, 'linked.prompty'));
    const report = lintPromptFiles([path.join(temp.root, 'linked.prompty')], { root: temp.root });
    expect(report.diagnostics.map((d) => d.code)).toEqual(['registry.path_outside_root']);
  });

  it('reports a missing file as unreadable', () => {
    temp = createTempPrompts();
    const report = lintPromptFiles([path.join(temp.root, 'missing.prompty')], { root: temp.root });
    expect(report).toMatchObject({ files: 1, errors: 1 });
    expect(report.diagnostics[0]?.code).toBe('validate.unreadable');
  });

  it('checks a file outside any root without slug rules', () => {
    temp = createTempPrompts({ 'Draft Prompt.prompty': simplePrompt() });
    const report = lintPromptFiles([path.join(temp.root, 'Draft Prompt.prompty')], { root: null });
    expect(report.errors).toBe(0);
  });
});
