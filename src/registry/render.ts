import { type ChatMessage, type PromptyHost, preparePrompt } from '../prompty/index.js';
import { createNodePromptyHost } from './node-host.js';
import type { ResolvedPrompt } from './source.js';

export interface RenderPromptOptions {
  /** Fill inputs the caller did not give from `example`/`sample` data (`opm render --sample`). @default false */
  useSample?: boolean;
  /** File access for v1 local images. @default createNodePromptyHost() */
  host?: PromptyHost;
}

/** A resolved prompt turned into the chat messages a gateway sends. */
export interface RenderedPrompt {
  slug: string;
  version: string | null;
  messages: ChatMessage[];
  /** The rendered template text before it was split into messages. */
  text: string;
}

const defaultHost = createNodePromptyHost();

/**
 * Renders a resolved prompt with `values`: inputs resolved, template rendered, messages parsed.
 * @throws PromptyError for missing or mistyped inputs, template errors and role injection.
 */
export function renderPrompt(
  resolved: ResolvedPrompt,
  values: Record<string, unknown>,
  options: RenderPromptOptions = {},
): RenderedPrompt {
  const { messages, text } = preparePrompt(resolved.prompt, values, {
    host: options.host ?? defaultHost,
    useSample: options.useSample ?? false,
  });
  return { slug: resolved.slug, version: resolved.version, messages, text };
}
