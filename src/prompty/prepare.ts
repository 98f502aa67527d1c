import { dirname } from 'node:path';
import { err, ok, type Result } from '../errors/index.js';
import { PromptyError } from './errors.js';
import type { PromptyHost } from './host.js';
import { resolveInputs } from './inputs.js';
import type { ChatMessage, Prompty } from './model.js';
import { type ParsedMessage, parseMessages } from './parse/chat-parser.js';
import { escapeRoleMarkers } from './parse/role-escapes.js';
import { BETA_ROLES, V1_ROLES, V2_ROLES } from './parse/role-marker.js';
import { createNonce, NONCE_VARIABLE, stampTemplateBoundaries } from './parse/strict-nonce.js';
import { expandRichInputs, placeBetaThreadMarkers, substituteRichInputs } from './parse/threads.js';
import { renderTemplate, toTemplateEngine } from './render/render.js';
import type { RenderLimits } from './render/sandbox-runtime.js';

export interface PreparePromptOptions {
  /** File access for v1 local markdown images. */
  host?: PromptyHost | undefined;
  /** Fill missing inputs from the file's sample data (CLI `--sample`). @default false */
  useSample?: boolean | undefined;
  /**
   * Strict role-marker mode (research §5.2). @default `template.format.strict`, else on for v2 and
   * off for v1, 1.0-beta and promptflow files, whose chat-history loops write role markers.
   */
  strict?: boolean | undefined;
  /** Work budget of the render. */
  limits?: Partial<RenderLimits> | undefined;
}

/** A prompt ready for the gateway. */
export interface PreparedPrompt {
  /** OpenAI chat messages: string content, or parts when there are images, audio or files. */
  messages: ChatMessage[];
  /** The rendered text (before splitting; rich inputs appear as their placeholders). */
  text: string;
}

const CHAT_ROLES: ReadonlySet<string> = new Set([
  'system',
  'user',
  'assistant',
  'developer',
  'function',
  'tool',
]);

/** Whether `prompt` renders in strict mode unless the caller says otherwise. */
export function isStrictByDefault(prompt: Pick<Prompty, 'generation' | 'template'>): boolean {
  return prompt.template.format.strict ?? prompt.generation === 'v2';
}

function toChatMessage(message: ParsedMessage): ChatMessage {
  if (!CHAT_ROLES.has(message.role)) {
    throw new PromptyError('prompty.invalid_message', `Unknown message role "${message.role}"`, {
      details: { role: message.role },
    });
  }
  return {
    role: message.role as ChatMessage['role'],
    content: message.content,
    ...(message.metadata ? { metadata: message.metadata } : {}),
  };
}

function restoreContent(
  content: ChatMessage['content'],
  restore: (text: string) => string,
): ChatMessage['content'] {
  if (typeof content === 'string') return restore(content);
  return content.map((part) => (part.type === 'text' ? { ...part, text: restore(part.text) } : part));
}

function stripNonce(text: string, nonce: string): string {
  return text.replaceAll(`[nonce="${nonce}"]`, '').replaceAll(`, nonce="${nonce}"]`, ']');
}

/**
 * Turns a loaded prompt and caller values into chat messages: resolve inputs → swap rich inputs for
 * placeholders → (strict) stamp template role markers with a nonce → render in the sandbox → split
 * into messages (checking the nonce) → splice threads and media back in.
 *
 * Parsing follows the file's generation. A parser other than `prompty` (`none`, `NOOP`), or a
 * v1/promptflow file whose `model.api` is not `chat`, yields one `system` message with the whole text;
 * callers of non-chat APIs should use `text`.
 *
 * @throws PromptyError from input resolution, rendering (`prompty.template_*`) and parsing
 *   (`prompty.role_injection`, `prompty.invalid_message`).
 */
export function preparePrompt(
  prompt: Prompty,
  values: Record<string, unknown>,
  options: PreparePromptOptions = {},
): PreparedPrompt {
  const resolved = resolveInputs(prompt, values, { useSample: options.useSample });
  const rich = substituteRichInputs(prompt.inputs, resolved);
  const engine = toTemplateEngine(prompt.template.format.kind);
  const splits = prompt.template.parser.kind.toLowerCase() === 'prompty';
  const strict = splits && (options.strict ?? isStrictByDefault(prompt));
  const generation = prompt.generation;
  const roles = generation === 'v2' ? V2_ROLES : generation === 'v1.0-beta' ? BETA_ROLES : V1_ROLES;
  const nonce = strict ? createNonce() : undefined;
  const template = nonce ? stampTemplateBoundaries(prompt.instructions, roles) : prompt.instructions;
  // promptflow kept role markers inside values from splitting messages (research §5.4).
  const escapes =
    generation === 'promptflow' && splits && !strict ? escapeRoleMarkers(rich.values) : undefined;
  const bound = escapes ? escapes.values : rich.values;
  const renderValues = nonce ? { ...bound, [NONCE_VARIABLE]: nonce } : bound;
  let text = renderTemplate(template, renderValues, {
    engine,
    templates: prompt.source.templates,
    file: prompt.source.path,
    bodyLine: prompt.source.bodyLine,
    trimBlocks: generation === 'promptflow',
    limits: options.limits,
  });
  if (generation === 'v1.0-beta') text = placeBetaThreadMarkers(text, rich.placeholders);
  const file = prompt.source.path;
  let parsed: ParsedMessage[];
  try {
    parsed = splits
      ? parseMessages(text, {
          generation,
          nonce,
          // Only v1/promptflow messages inline local images, read relative to the file.
          baseDir:
            file !== undefined && (generation === 'v1' || generation === 'promptflow')
              ? dirname(file)
              : undefined,
          host: options.host,
          apiType: prompt.model.apiType,
          values: resolved,
        })
      : [{ role: 'system', content: text }];
  } catch (error) {
    if (error instanceof PromptyError && file !== undefined && error.details?.file === undefined) {
      throw new PromptyError(error.code, `${file}: ${error.message}`, {
        details: { ...error.details, file },
        cause: error,
      });
    }
    throw error;
  }
  const messages = expandRichInputs(parsed, rich.placeholders).map(toChatMessage);
  if (escapes) {
    for (const message of messages) message.content = restoreContent(message.content, escapes.restore);
    text = escapes.restore(text);
  }
  return { messages, text: nonce ? stripNonce(text, nonce) : text };
}

/** {@link preparePrompt} returning a {@link Result} instead of throwing PromptyErrors. */
export function safePreparePrompt(
  prompt: Prompty,
  values: Record<string, unknown>,
  options: PreparePromptOptions = {},
): Result<PreparedPrompt, PromptyError> {
  try {
    return ok(preparePrompt(prompt, values, options));
  } catch (error) {
    if (error instanceof PromptyError) return err(error);
    throw error;
  }
}
