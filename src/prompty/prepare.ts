import { dirname } from 'node:path';
import { err, ok, type Result } from '../errors/index.js';
import { PromptyError } from './errors.js';
import type { PromptyHost } from './host.js';
import { resolveInputs } from './inputs.js';
import type { ChatMessage, Prompty } from './model.js';
import { type ParsedMessage, parseMessages, parseTrackedMessages } from './parse/chat-parser.js';
import { escapeRoleMarkers } from './parse/role-escapes.js';
import { BETA_ROLES, matchRoleBoundary, V1_ROLES, V2_ROLES } from './parse/role-marker.js';
import { createNonce, NONCE_VARIABLE, stampTemplateBoundaries } from './parse/strict-nonce.js';
import {
  expandRichInputs,
  placeBetaThreadMarkers,
  type RichInputs,
  substituteRichInputs,
} from './parse/threads.js';
import type { TrackedTemplate } from './render/direct-compiler.js';
import { compileTrackedJinja, isRenderCrossCheck } from './render/nunjucks-env.js';
import { renderTemplate, renderTrackedTemplate, toTemplateEngine } from './render/render.js';
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
  const role = message.role as ChatMessage['role'];
  return message.metadata
    ? { role, content: message.content, metadata: message.metadata }
    : { role, content: message.content };
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
  const tracked = options.strict === false ? null : trackedPlan(prompt);
  if (tracked !== null) {
    const nonce = createNonce();
    const rendered = renderTrackedTemplate(
      tracked,
      rich.values,
      { name: NONCE_VARIABLE, value: nonce },
      options.limits,
    );
    const parsed = rendered && parseTrackedMessages(rendered, nonce, 'v2');
    if (rendered && parsed) {
      const messages = expandRichInputs(parsed, rich.placeholders).map(toChatMessage);
      const prepared = new StrictPreparedPrompt(messages, rendered.text, nonce);
      if (isRenderCrossCheck())
        assertSamePrepared(prepared, () => prepareInFull(prompt, resolved, rich, options));
      return prepared;
    }
    // Anything irregular (an error, an injected marker...): the full path decides, with the same nonce
    // rules. A render that failed fails on the direct back end again: nunjucks alone renders then.
    if (rendered === null) return prepareInFull(prompt, resolved, rich, options, true);
  }
  return prepareInFull(prompt, resolved, rich, options);
}

function assertSamePrepared(fast: PreparedPrompt, prepareFull: () => PreparedPrompt): void {
  const a = JSON.stringify([fast.messages, fast.text]);
  let full: PreparedPrompt;
  try {
    full = prepareFull();
  } catch (error) {
    // Not the full path's error as is: a test expecting it (role_injection...) would pass on a tracked accept.
    throw new Error(`tracked prepare gave ${a} where the full path threw: ${String(error)}`);
  }
  const b = JSON.stringify([full.messages, full.text]);
  if (a !== b) throw new Error(`tracked prepare gave ${a} where the full path gave ${b}`);
}

/** preparePrompt by the general path: render the stamped template, then scan every line. */
function prepareInFull(
  prompt: Prompty,
  resolved: Record<string, unknown>,
  rich: RichInputs,
  options: PreparePromptOptions,
  nunjucksOnly = false,
): PreparedPrompt {
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
  // Object.assign, not a spread: callers' value objects have many shapes, and a spread site that has
  // seen many takes V8's slow path (hundreds of ns).
  const renderValues = nonce ? Object.assign({}, bound, { [NONCE_VARIABLE]: nonce }) : bound;
  let text = renderTemplate(template, renderValues, {
    engine,
    templates: prompt.source.templates,
    file: prompt.source.path,
    bodyLine: prompt.source.bodyLine,
    trimBlocks: generation === 'promptflow',
    limits: options.limits,
    nunjucksOnly,
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
  return nonce ? new StrictPreparedPrompt(messages, text, nonce) : { messages, text };
}

/** Most callers only want the messages: the text loses its nonce stamps when first read. */
class StrictPreparedPrompt implements PreparedPrompt {
  readonly messages: ChatMessage[];
  #stamped: string;
  readonly #nonce: string;
  #text: string | undefined;

  constructor(messages: ChatMessage[], stamped: string, nonce: string) {
    this.messages = messages;
    this.#stamped = stamped;
    this.#nonce = nonce;
  }

  get text(): string {
    if (this.#text === undefined) {
      this.#text = stripNonce(this.#stamped, this.#nonce);
      this.#stamped = '';
    }
    return this.#text;
  }

  toJSON(): PreparedPrompt {
    return { messages: this.messages, text: this.text };
  }
}

// Per loaded prompt (the registry hands out one object per content): its tracked plan, or null.
const trackedPlans = new WeakMap<Prompty, TrackedTemplate | null>();

/**
 * For a prompt rendered in strict mode by default (v2) with jinja2, the prompty parser and no
 * includes: its stamped template compiled for tracked renders, when the direct back end covers it
 * and no piece of its template text holds a line that reads as a role marker by itself. `null`
 * otherwise; such prompts take the full path.
 */
function trackedPlan(prompt: Prompty): TrackedTemplate | null {
  const known = trackedPlans.get(prompt);
  if (known !== undefined) return known;
  let template: TrackedTemplate | null = null;
  const templates = prompt.source.templates;
  const engine = prompt.template.format.kind.toLowerCase();
  if (
    prompt.generation === 'v2' &&
    isStrictByDefault(prompt) &&
    (engine === 'jinja2' || engine === 'nunjucks') &&
    prompt.template.parser.kind.toLowerCase() === 'prompty' &&
    (templates === undefined || Object.keys(templates).length === 0)
  ) {
    try {
      template = compileTrackedJinja(stampTemplateBoundaries(prompt.instructions, V2_ROLES), NONCE_VARIABLE);
    } catch {
      // Syntax errors and the like: the full path raises them with their position.
    }
    const holdsMarker = (literal: string) =>
      literal.includes('\r') ||
      literal.split('\n').some((line) => matchRoleBoundary(line, V2_ROLES) !== null);
    if (template?.literals.some(holdsMarker)) template = null;
  }
  trackedPlans.set(prompt, template);
  return template;
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
