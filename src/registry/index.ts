/** @module registry — prompts addressed by slug: slug rules, the PromptSource seam, the file source, lint. */

export type { CachedPrompt, PromptFileCache, PromptFileCacheOptions } from './cache.js';
export { createPromptFileCache, sha256Hex } from './cache.js';
export type { RegistryErrorCode, RegistryErrorDetails } from './errors.js';
export { REGISTRY_ERROR_CODES, RegistryError } from './errors.js';
export type { FileSource, FileSourceOptions } from './file-source.js';
export { createFileSource } from './file-source.js';
export type { Diagnostic, LintOptions, LintReport } from './lint.js';
export { lintPromptFiles, lintPromptText } from './lint.js';
export { editDistance, nearestSlugs } from './nearest.js';
export { createNodePromptyHost } from './node-host.js';
export { findPromptFiles } from './prompt-files.js';
export type { RenderedPrompt, RenderPromptOptions } from './render.js';
export { renderPrompt } from './render.js';
export {
  assertValidSlug,
  explainInvalidSlug,
  isValidSlug,
  MAX_SLUG_LENGTH,
  PROMPT_FILE_EXTENSION,
  pathToSlug,
  slugToPath,
} from './slug.js';
export type { PromptRef, PromptSource, PromptSummary, ResolvedPrompt } from './source.js';
export { PromptRefSchema, PromptSummarySchema, ResolvedPromptSchema } from './source.js';
