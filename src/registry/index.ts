/** @module registry — prompts addressed by slug: slug rules, the PromptSource seam, the file source, lint. */

export type { CachedPrompt, PromptFileCache, PromptFileCacheOptions } from './cache.js';
export { createPromptFileCache, sha256Hex } from './cache.js';
export type {
  DeployOptions,
  GuardThresholds,
  LabelChange,
  LabelChangeOptions,
  RollbackOptions,
} from './deploy.js';
export { deployVersion, rollbackLabel } from './deploy.js';
export type { RegistryErrorCode, RegistryErrorDetails } from './errors.js';
export { REGISTRY_ERROR_CODES, RegistryError } from './errors.js';
export type { FileSource, FileSourceOptions } from './file-source.js';
export { createFileSource } from './file-source.js';
export type { GitLocation, PromptFileVersion, PromptHistory, PromptRename } from './git-history.js';
export { findDirtyPrompts, locatePrompts, readGitIdentity, readPromptHistory } from './git-history.js';
export type { CanaryGuard, CheckGuardsOptions, GuardOptions, GuardVerdict } from './guard.js';
export { checkGuards, createGuard, GUARD_ACTOR, judgeCanary } from './guard.js';
export { applyDeploy, assertDeployableLabel, describeTargets, LATEST_LABEL } from './labels.js';
export type { Diagnostic, LintOptions, LintReport } from './lint.js';
export { lintPromptFiles, lintPromptText } from './lint.js';
export { editDistance, nearestSlugs } from './nearest.js';
export { createNodePromptyHost } from './node-host.js';
export { findPromptFiles } from './prompt-files.js';
export type { InvalidationSubscription, SubscribeInvalidationsOptions } from './propagation.js';
export { invalidationChannel, publishInvalidation, subscribeInvalidations } from './propagation.js';
export type { PublishedVersion, PublishOptions, PublishReport } from './publish.js';
export { publishPrompts, SHORT_SHA_LENGTH } from './publish.js';
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
export type { PromptSourceFromConfigOptions } from './source-from-config.js';
export { createPromptSourceFromConfig } from './source-from-config.js';
export type { StoreSource, StoreSourceOptions } from './store-source.js';
export { createStoreSource } from './store-source.js';
export type { ChooseTargetOptions } from './traffic-split.js';
export { assignmentBucket, chooseTarget, targetAt } from './traffic-split.js';
export type { DiffableVersion } from './version-diff.js';
export { diffVersions } from './version-diff.js';
export type { Dependencies, VersionSnapshot } from './version-snapshot.js';
export { loadVersionSnapshot, versionIdentity } from './version-snapshot.js';
export type { VersioningErrorCode } from './versioning-errors.js';
export { VERSIONING_ERROR_CODES, VersioningError } from './versioning-errors.js';
