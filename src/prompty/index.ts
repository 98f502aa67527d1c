/** @module prompty — load, render, parse and prepare .prompty files (pure; I/O only through PromptyHost). */

export type { PromptyErrorCode, PromptyErrorDetails } from './errors.js';
export { formatLocation, PROMPTY_ERROR_CODES, PromptyError } from './errors.js';
export type { FrontMatterSplit } from './front-matter.js';
export { splitFrontMatter } from './front-matter.js';
export type { PromptyHost } from './host.js';
export type { DeclaredInput, ResolveInputsOptions } from './inputs.js';
export { listDeclaredInputs, resolveInputs } from './inputs.js';
export type { LoadOptions } from './load.js';
export { loadPrompty, loadPromptyFile, safeLoadPrompty } from './load.js';
export type {
  ChatContentPart,
  ChatMessage,
  Generation,
  LoadWarning,
  Model,
  Prompty,
  Property,
  Template,
} from './model.js';
export {
  GenerationSchema,
  LoadWarningSchema,
  ModelSchema,
  PROMPTY_GENERATIONS,
  PROPERTY_KINDS,
  PromptySchema,
  PropertySchema,
  TemplateSchema,
} from './model.js';
export type { ParsedMessage, ParseMessagesOptions } from './parse/chat-parser.js';
export { parseMessages } from './parse/chat-parser.js';
export type { PreparedPrompt, PreparePromptOptions } from './prepare.js';
export { isStrictByDefault, preparePrompt, safePreparePrompt } from './prepare.js';
export type { RenderTemplateOptions, TemplateEngine } from './render/render.js';
export { renderTemplate, TEMPLATE_ENGINES, toTemplateEngine } from './render/render.js';
export type { RenderSegment, RenderSegmentsOptions } from './render/render-segments.js';
export { renderSegments } from './render/render-segments.js';
export type { RenderLimits } from './render/sandbox-runtime.js';
export { DEFAULT_RENDER_LIMITS } from './render/sandbox-runtime.js';
export type { TemplateVariables } from './variables.js';
export { analyzeTemplateVariables } from './variables.js';
