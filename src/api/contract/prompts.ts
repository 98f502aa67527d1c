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
  /** Published versions, newest first; only the current file's hash for an unpublished prompt. */
  versions: z.array(
    z.object({
      version: z.string(),
      current: z.boolean(),
      commitSha: z.string().nullable().optional(),
      author: z.string().optional(),
      message: z.string().optional(),
      committedAt: z.string().optional(),
    }),
  ),
  /** Deployment labels and the versions (with traffic weights) they point at. */
  labels: z.array(
    z.object({
      label: z.string(),
      targets: z.array(z.object({ version: z.string(), weight: z.number(), variant: z.string() })),
    }),
  ),
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

/** `GET /v1/stats` query: the figures of `opm stats --json`. */
export const StatsQuerySchema = z.object({
  /** Only this prompt. */
  slug: z.string().min(1).optional(),
  /** ISO time: runs created at or after it. @default 24 hours ago */
  since: z.iso.datetime({ offset: true }).optional(),
  /** One row per model, version or label; one row in total when omitted. */
  by: z.enum(['model', 'version', 'label']).optional(),
});

const PercentilesSchema = z.object({
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** One group of runs, as `opm stats` reports it. */
export const UsageStatsSchema = z.object({
  group: z.string().nullable(),
  count: z.number(),
  completed: z.number(),
  failed: z.number(),
  /** failed / count, 0..1. */
  errorRate: z.number(),
  /** Enqueue to stored run. */
  latencyMs: PercentilesSchema,
  /** The gateway call alone, retries and fallbacks included. */
  llmLatencyMs: PercentilesSchema,
  tokensIn: z.number(),
  tokensOut: z.number(),
  costUsd: z.number(),
  /** Share of runs that moved past their primary model, 0..1. */
  fallbackRate: z.number(),
});

export const StatsSchema = z.object({
  since: z.string(),
  slug: z.string().nullable(),
  by: z.enum(['model', 'version', 'label']).nullable(),
  rows: z.array(UsageStatsSchema),
});
export type Stats = z.infer<typeof StatsSchema>;
