import { z } from 'zod';
import { PromptySchema } from '../prompty/index.js';

/**
 * How a caller names the prompt it wants. Every source understands the same reference, so the
 * worker, the CLI and the API keep working when prompts move from files to git or Postgres.
 */
export const PromptRefSchema = z.object({
  slug: z.string().min(1),
  /** A deployment label such as `production`; `latest` (or none) means the newest version. */
  label: z.string().min(1).optional(),
  /** A version id; for the file source a prefix (7+ hex) of the file's content hash. */
  version: z.string().min(1).optional(),
  /** Sticky key for traffic splits between variants (a user or session id). */
  assignmentKey: z.string().min(1).optional(),
});
export type PromptRef = z.infer<typeof PromptRefSchema>;

/** A prompt a source found for a reference, with the coordinates that identify it. */
export const ResolvedPromptSchema = z.object({
  slug: z.string(),
  prompt: PromptySchema,
  /** The version served; the content hash for the file source. */
  version: z.string().nullable(),
  /** The label that led here, when the source has labels. */
  label: z.string().nullable(),
  /** The traffic-split variant chosen, when the label splits traffic. */
  variant: z.string().nullable(),
});
export type ResolvedPrompt = z.infer<typeof ResolvedPromptSchema>;

/** One line of `list()`: enough to choose a prompt without loading every one. */
export const PromptSummarySchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** `model.id`, when the prompt names one. */
  model: z.string().nullable(),
  version: z.string().nullable(),
  /** Where the prompt lives, when it is a file. */
  path: z.string().nullable(),
  /** Set when the prompt exists but does not load; `opm validate` tells the whole story. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PromptSummary = z.infer<typeof PromptSummarySchema>;

/**
 * Where prompts come from. The file source reads a folder; versioned sources (git, Postgres)
 * implement the same three methods.
 */
export interface PromptSource {
  /** Every prompt the source holds, sorted by slug. */
  list(): Promise<PromptSummary[]>;
  /**
   * The prompt a reference points at.
   * @throws RegistryError `registry.invalid_slug`, `registry.slug_not_found`,
   *   `registry.label_not_supported`, `registry.version_not_found`; PromptyError when it does not load.
   */
  resolve(ref: PromptRef): Promise<ResolvedPrompt>;
  /** Releases connections or watchers; safe to call twice. */
  close?(): Promise<void>;
}
