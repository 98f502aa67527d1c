import { describe, expect, it } from 'vitest';
import { inlineImage, splitMarkdownImages } from '../../../../src/prompty/parse/images.js';
import { createMemoryHost } from '../../../support/memory-host.js';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
const host = createMemoryHost({ '/prompts/camping.jpg': png, '/prompts/a.png': png, '/secret.png': png });

describe('inlineImage', () => {
  it('turns a local file into a base64 data URI through the host', () => {
    expect(inlineImage('camping.jpg', { host, baseDir: '/prompts' })).toBe('data:image/jpeg;base64,iVBORw==');
    expect(inlineImage('./a.png', { host, baseDir: '/prompts' })).toBe('data:image/png;base64,iVBORw==');
  });

  it('refuses a file outside the prompt folder', () => {
    expect(() => inlineImage('../secret.png', { host, baseDir: '/prompts' })).toThrow(
      expect.objectContaining({ code: 'prompty.path_outside_root' }),
    );
  });

  it('refuses types other than png and jpeg', () => {
    expect(() => inlineImage('x.gif', { host, baseDir: '/prompts' })).toThrow(
      expect.objectContaining({ code: 'prompty.invalid_message' }),
    );
  });

  it('needs a host for local files', () => {
    expect(() => inlineImage('a.png', {})).toThrow(
      expect.objectContaining({ code: 'prompty.invalid_message' }),
    );
  });
});

describe('splitMarkdownImages', () => {
  it('keeps content without images as a string', () => {
    expect(splitMarkdownImages('plain [link](x) text', {})).toBe('plain [link](x) text');
  });

  it('scans long runs of "![" without a closing bracket in one pass', () => {
    expect(splitMarkdownImages('!['.repeat(100_000), {})).toBe('!['.repeat(100_000));
  });
});
