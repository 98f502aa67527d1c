import { z } from 'zod';

/** One version a label points at, with its share of the label's traffic. */
export const LabelTargetSchema = z.object({
  version: z.string(),
  /** Percent of the label's traffic, 1..100. */
  weight: z.number(),
  /** Name recorded on runs (`canary`, `b`...). */
  variant: z.string(),
});

export const LabelSchema = z.object({
  label: z.string(),
  targets: z.array(LabelTargetSchema),
  /** Automatic rollback thresholds of a canary, when set. */
  guard: z.record(z.string(), z.unknown()).nullable(),
  revision: z.number(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type Label = z.infer<typeof LabelSchema>;

export const LabelListSchema = z.object({ slug: z.string(), labels: z.array(LabelSchema) });
export type LabelList = z.infer<typeof LabelListSchema>;

/** `POST /v1/prompts/{slug}/deploy` body. */
export const DeployRequestSchema = z.object({
  label: z.string().min(1),
  /** A version id or an unambiguous commit-sha prefix (7+). */
  version: z.string().min(1),
  /** Percent of the label's traffic for this version (a canary below 100). @default 100 */
  weight: z.number().int().min(1).max(100).optional(),
  variant: z.string().min(1).optional(),
  reason: z.string().max(2000).optional(),
  /** Roll back automatically when the canary breaches these (weight below 100 only). */
  guard: z
    .object({
      minRuns: z.number().int().min(1),
      maxErrorRateDelta: z.number().min(0).optional(),
      maxP95Ratio: z.number().positive().optional(),
      maxCostRatio: z.number().positive().optional(),
    })
    .optional(),
});
export type DeployRequest = z.infer<typeof DeployRequestSchema>;

/** `POST /v1/prompts/{slug}/rollback` body. */
export const RollbackRequestSchema = z.object({
  label: z.string().min(1),
  reason: z.string().max(2000).optional(),
});
export type RollbackRequest = z.infer<typeof RollbackRequestSchema>;

/** The outcome of a deploy or rollback. */
export const LabelChangeSchema = z.object({
  slug: z.string(),
  label: z.string(),
  action: z.enum(['deploy', 'weight', 'rollback']),
  before: z.array(LabelTargetSchema).nullable(),
  after: z.array(LabelTargetSchema),
  /** False when the label already pointed there (nothing was written). */
  changed: z.boolean(),
  auditId: z.number().nullable(),
});
export type LabelChange = z.infer<typeof LabelChangeSchema>;

/** `GET /v1/audit` query. */
export const AuditQuerySchema = z.object({
  slug: z.string().min(1).optional(),
  label: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const AuditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  /** Who: a git identity, an API key's name, or `guard`. */
  actor: z.string(),
  action: z.enum(['publish', 'deploy', 'weight', 'rollback']),
  slug: z.string(),
  label: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
});
export const AuditListSchema = z.object({ entries: z.array(AuditEntrySchema) });
export type AuditList = z.infer<typeof AuditListSchema>;
