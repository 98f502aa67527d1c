import { PromptyError } from '../errors.js';
import type { ChatContentPart, Property } from '../model.js';
import type { ParsedMessage } from './chat-parser.js';
import { stripNewlines } from './role-marker.js';
import { randomHex } from './strict-nonce.js';

/**
 * Rich inputs (`kind: thread | image | file | audio`, research §4 and §9.9). The template never sees
 * their values: each is replaced by a `__PROMPTY_THREAD_<8 hex>_<name>__` placeholder before rendering,
 * and after parsing the placeholder is swapped for the thread's messages or the media part.
 */

export const RICH_KINDS: ReadonlySet<string> = new Set(['thread', 'image', 'file', 'audio']);

export interface RichPlaceholder {
  placeholder: string;
  name: string;
  kind: string;
  value: unknown;
}

const PLACEHOLDER = /__PROMPTY_THREAD_[0-9a-f]{8}_\w+?__/g;

/** A value written as `{ _kind: 'thread', messages }` is a thread even when no input declares it. */
function taggedThread(value: unknown): unknown[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const tagged = value as { _kind?: unknown; messages?: unknown };
  return tagged._kind === 'thread' && Array.isArray(tagged.messages) ? tagged.messages : undefined;
}

// The rich inputs of each declared input list; a loaded prompt's list is reused on every render.
const richKindsByInputs = new WeakMap<readonly Property[], ReadonlyMap<string, string>>();

function richKinds(inputs: readonly Property[]): ReadonlyMap<string, string> {
  let kinds = richKindsByInputs.get(inputs);
  if (!kinds) {
    kinds = new Map(inputs.filter((input) => RICH_KINDS.has(input.kind)).map((i) => [i.name, i.kind]));
    richKindsByInputs.set(inputs, kinds);
  }
  return kinds;
}

/** Values with rich inputs swapped for placeholders, and those placeholders. */
export interface RichInputs {
  values: Record<string, unknown>;
  placeholders: RichPlaceholder[];
}

/** Replaces rich inputs by placeholders; returns the values the template renders with. */
export function substituteRichInputs(
  inputs: readonly Property[],
  values: Record<string, unknown>,
): RichInputs {
  const kinds = richKinds(inputs);
  let out: Record<string, unknown> | undefined;
  const placeholders: RichPlaceholder[] = [];
  for (const name of Object.keys(values)) {
    const value = values[name];
    const tagged = taggedThread(value);
    const kind = tagged ? 'thread' : kinds.get(name);
    if (kind === undefined || value === undefined || value === null) continue;
    const placeholder = `__PROMPTY_THREAD_${randomHex(4)}_${name}__`;
    placeholders.push({ placeholder, name, kind, value: tagged ?? value });
    out ??= { ...values };
    out[name] = placeholder;
  }
  return { values: out ?? values, placeholders };
}

/**
 * 1.0-beta files mark where the thread goes with a `![thread]` line; it takes the first thread input,
 * and disappears when the render has none.
 */
export function placeBetaThreadMarkers(rendered: string, placeholders: readonly RichPlaceholder[]): string {
  const thread = placeholders.find((p) => p.kind === 'thread');
  if (!thread) return rendered.replace(/^[ \t]*!\[thread\][^\n]*(?:\n|$)/gm, '');
  return rendered.replace(/^[ \t]*!\[thread\][^\n]*$/gm, thread.placeholder);
}

function invalid(name: string, message: string): PromptyError {
  return new PromptyError('prompty.invalid_input', `Input '${name}' ${message}`, {
    details: { input: name },
  });
}

function toPart(part: unknown, name: string): ChatContentPart {
  const p = (typeof part === 'object' && part !== null ? part : {}) as Record<string, unknown>;
  if (p.type === 'text' && typeof p.text === 'string') return { type: 'text', text: p.text };
  if (p.kind === 'text' && typeof p.value === 'string') return { type: 'text', text: p.value };
  if (p.type === 'image_url' || p.type === 'input_audio' || p.type === 'file') return p as ChatContentPart;
  if (p.kind === 'image' && typeof p.value === 'string')
    return { type: 'image_url', image_url: { url: p.value } };
  throw invalid(name, 'has a message part opm cannot send');
}

/** Thread items as messages: `{role, content}` with string content, OpenAI parts or prompty parts. */
function threadMessages(name: string, value: unknown): ParsedMessage[] {
  if (!Array.isArray(value)) throw invalid(name, 'must be an array of {role, content} messages');
  return value.map((item) => {
    const message = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof message.role !== 'string') throw invalid(name, 'has a message without a role');
    const raw = message.content ?? '';
    let content: string | ChatContentPart[];
    if (typeof raw === 'string') content = raw;
    else if (Array.isArray(raw)) {
      const parts = raw.map((part) => toPart(part, name));
      const only = parts[0];
      content = parts.length === 1 && only?.type === 'text' ? only.text : parts;
    } else throw invalid(name, 'has a message whose content is neither text nor parts');
    const out: ParsedMessage = { role: message.role, content };
    if (typeof message.name === 'string') out.metadata = { name: message.name };
    return out;
  });
}

function mediaPart(p: RichPlaceholder): ChatContentPart {
  const v = p.value as Record<string, unknown> | string;
  if (p.kind === 'image') {
    if (typeof v === 'string') return { type: 'image_url', image_url: { url: v } };
    if (typeof v.url === 'string') {
      return {
        type: 'image_url',
        image_url: { url: v.url, ...(typeof v.detail === 'string' ? { detail: v.detail } : {}) },
      };
    }
  } else if (p.kind === 'audio' && typeof v === 'object' && typeof v.data === 'string') {
    return { type: 'input_audio', input_audio: { data: v.data, format: String(v.format ?? 'wav') } };
  } else if (p.kind === 'file') {
    if (typeof v === 'string') return { type: 'file', file: { file_data: v } };
    const file: { file_data?: string; file_id?: string; filename?: string } = {};
    if (typeof v.file_data === 'string') file.file_data = v.file_data;
    if (typeof v.file_id === 'string') file.file_id = v.file_id;
    if (typeof v.filename === 'string') file.filename = v.filename;
    if (Object.keys(file).length > 0) return { type: 'file', file };
  }
  throw invalid(p.name, `is not a usable ${p.kind} value`);
}

/** `message` with other content (no spread: message objects come in several shapes). */
function withContent(message: ParsedMessage, content: ParsedMessage['content']): ParsedMessage {
  return message.metadata
    ? { role: message.role, content, metadata: message.metadata }
    : { role: message.role, content };
}

const PLACEHOLDER_PREFIX = '__PROMPTY_THREAD_';

/**
 * Swaps placeholders for what they stand for. A thread splits the message it sits in (text before,
 * the thread's messages, text after); media becomes a part of the message. Rich inputs the template
 * never placed are appended at the end (threads as they are, media in a new `user` message).
 */
export function expandRichInputs(
  messages: ParsedMessage[],
  placeholders: readonly RichPlaceholder[],
): ParsedMessage[] {
  if (placeholders.length === 0) return messages;
  const byPlaceholder = new Map(placeholders.map((p) => [p.placeholder, p]));
  const placed = new Set<string>();
  const out: ParsedMessage[] = [];
  for (const message of messages) {
    if (typeof message.content !== 'string' || !message.content.includes(PLACEHOLDER_PREFIX)) {
      out.push(message);
      continue;
    }
    let parts: ChatContentPart[] = [];
    const flush = (): void => {
      const texts = parts.map((part) =>
        part.type === 'text' ? { type: 'text' as const, text: stripNewlines(part.text) } : part,
      );
      const kept = texts.filter((part) => part.type !== 'text' || part.text.trim() !== '');
      if (kept.length > 0) {
        const only = kept[0];
        const content = kept.length === 1 && only?.type === 'text' ? only.text : kept;
        out.push(withContent(message, content));
      }
      parts = [];
    };
    let cursor = 0;
    for (const match of message.content.matchAll(PLACEHOLDER)) {
      const rich = byPlaceholder.get(match[0]);
      if (!rich) continue;
      parts.push({ type: 'text', text: message.content.slice(cursor, match.index) });
      cursor = match.index + match[0].length;
      placed.add(rich.placeholder);
      if (rich.kind === 'thread') {
        flush();
        for (const m of threadMessages(rich.name, rich.value)) out.push(m);
      } else parts.push(mediaPart(rich));
    }
    if (cursor === 0) {
      out.push(message);
      continue;
    }
    parts.push({ type: 'text', text: message.content.slice(cursor) });
    flush();
  }
  for (const rich of placeholders) {
    if (placed.has(rich.placeholder)) continue;
    if (rich.kind === 'thread') for (const m of threadMessages(rich.name, rich.value)) out.push(m);
    else out.push({ role: 'user', content: [mediaPart(rich)] });
  }
  return out;
}
