import { z } from 'zod';

export const PromptSummarySchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  model: z.string().nullable(),
  version: z.string().nullable(),
  /** Set when the prompt exists but does not load. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PromptSummary = z.infer<typeof PromptSummarySchema>;

/** `GET /v1/prompts` query. */
export const PromptListQuerySchema = z.object({
  /** A slug prefix such as `acme/support`; every prompt when omitted. */
  prefix: z.string().optional(),
});

/** The prompts under a prefix, and the folders directly below it (the tree's next level). */
export const PromptListSchema = z.object({
  prefix: z.string(),
  folders: z.array(z.string()),
  prompts: z.array(PromptSummarySchema),
});
export type PromptList = z.infer<typeof PromptListSchema>;

export const PromptInputSchema = z.object({
  name: z.string(),
  kind: z.string(),
  description: z.string().nullable(),
  required: z.boolean(),
  default: z.unknown().optional(),
});

/** `GET /v1/prompts/{slug}`: the prompt with its versions and labels (no connection secrets). */
export const PromptDetailSchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  model: z.object({
    id: z.string().nullable(),
    provider: z.string().nullable(),
    apiType: z.string(),
    options: z.record(z.string(), z.unknown()),
  }),
  inputs: z.array(PromptInputSchema),
  outputs: z.array(z.string()),
  template: z.object({ format: z.string(), text: z.string() }),
  /** The version served now. */
  version: z.string().nullable(),
  versions: z.array(z.object({ version: z.string(), current: z.boolean() })),
  /** Deployment labels pointing at a version (none for a folder of files). */
  labels: z.array(z.object({ label: z.string(), version: z.string() })),
});
export type PromptDetail = z.infer<typeof PromptDetailSchema>;

/** `POST /v1/prompts/{slug}/render` body. */
export const RenderRequestSchema = z.object({
  vars: z.record(z.string(), z.unknown()).default({}),
  /** Fill missing inputs from the prompt's sample data. @default false */
  useSample: z.boolean().optional(),
});
export type RenderRequest = z.input<typeof RenderRequestSchema>;

export const RenderedSchema = z.object({
  slug: z.string(),
  version: z.string().nullable(),
  messages: z.array(
    z.object({
      role: z.string(),
      content: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]),
    }),
  ),
  text: z.string(),
});
export type Rendered = z.infer<typeof RenderedSchema>;

/** `GET /v1/stats` query. */
export const StatsQuerySchema = z.object({
  slug: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

export const SlugStatsSchema = z.object({
  slug: z.string(),
  runs: z.number(),
  completed: z.number(),
  failed: z.number(),
  tokensIn: z.number(),
  tokensOut: z.number(),
  costUsd: z.number(),
  p50TotalMs: z.number().nullable(),
  p95TotalMs: z.number().nullable(),
  p95LlmLatencyMs: z.number().nullable(),
});

export const StatsSchema = z.object({
  slugs: z.array(SlugStatsSchema),
  totals: z.object({
    runs: z.number(),
    completed: z.number(),
    failed: z.number(),
    tokensIn: z.number(),
    tokensOut: z.number(),
    costUsd: z.number(),
  }),
});
export type Stats = z.infer<typeof StatsSchema>;
