import { describe, expect, it } from 'vitest';
import type { ParsedMessage } from '../../../../src/prompty/parse/chat-parser.js';
import {
  expandRichInputs,
  placeBetaThreadMarkers,
  substituteRichInputs,
} from '../../../../src/prompty/parse/threads.js';

const history = [
  { role: 'user', content: 'prev q' },
  { role: 'assistant', content: [{ type: 'text', text: 'prev a' }] },
];

describe('substituteRichInputs', () => {
  it('replaces thread and media inputs by placeholders and leaves the rest', () => {
    const { values, placeholders } = substituteRichInputs(
      [
        { name: 'conversation', kind: 'thread' },
        { name: 'photo', kind: 'image' },
        { name: 'q', kind: 'string' },
      ],
      { conversation: history, photo: 'https://x.test/p.png', q: 'hi' },
    );
    expect(values.q).toBe('hi');
    expect(values.conversation).toMatch(/^__PROMPTY_THREAD_[0-9a-f]{8}_conversation__$/);
    expect(values.photo).toMatch(/^__PROMPTY_THREAD_[0-9a-f]{8}_photo__$/);
    expect(placeholders.map((p) => p.kind)).toEqual(['thread', 'image']);
  });

  it('recognises a value tagged { _kind: "thread" } without a declaration', () => {
    const { placeholders } = substituteRichInputs([], { c: { _kind: 'thread', messages: history } });
    expect(placeholders[0]).toMatchObject({ name: 'c', kind: 'thread', value: history });
  });
});

describe('expandRichInputs', () => {
  const setup = (values: Record<string, unknown>, kinds: Record<string, string>) =>
    substituteRichInputs(
      Object.entries(kinds).map(([name, kind]) => ({ name, kind })),
      values,
    );

  it('splits the message around a thread placed inside it', () => {
    const { values, placeholders } = setup({ h: history }, { h: 'thread' });
    const messages: ParsedMessage[] = [{ role: 'user', content: `before\n${values.h}\nafter` }];
    expect(expandRichInputs(messages, placeholders)).toEqual([
      { role: 'user', content: 'before' },
      { role: 'user', content: 'prev q' },
      { role: 'assistant', content: 'prev a' },
      { role: 'user', content: 'after' },
    ]);
  });

  it('appends a thread the template never placed at the end', () => {
    const { placeholders } = setup({ h: history }, { h: 'thread' });
    expect(expandRichInputs([{ role: 'system', content: 'S' }], placeholders)).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'prev q' },
      { role: 'assistant', content: 'prev a' },
    ]);
  });

  it('turns an image placeholder into an image part of its message', () => {
    const { values, placeholders } = setup(
      { p: { url: 'https://x.test/p.png', detail: 'low' } },
      { p: 'image' },
    );
    expect(expandRichInputs([{ role: 'user', content: `Look:\n${values.p}` }], placeholders)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image_url', image_url: { url: 'https://x.test/p.png', detail: 'low' } },
        ],
      },
    ]);
  });

  it('refuses a thread that is not a list of messages', () => {
    const { values, placeholders } = setup({ h: 'oops' }, { h: 'thread' });
    expect(() => expandRichInputs([{ role: 'user', content: String(values.h) }], placeholders)).toThrow(
      expect.objectContaining({ code: 'prompty.invalid_input', details: { input: 'h' } }),
    );
  });
});

describe('placeBetaThreadMarkers', () => {
  it('puts the thread placeholder where a ![thread] line stands', () => {
    const { placeholders } = substituteRichInputs([{ name: 'h', kind: 'thread' }], { h: history });
    expect(placeBetaThreadMarkers('system:\nS\n![thread]\nuser:\nq', placeholders)).toBe(
      `system:\nS\n${placeholders[0]?.placeholder}\nuser:\nq`,
    );
  });
});
