import { z } from 'zod';
import type { Usage } from './types.js';

export const ModelPriceSchema = z.object({
  /** USD per million input (prompt) tokens. */
  inputPerMTok: z.number().nonnegative(),
  /** USD per million output (completion) tokens. */
  outputPerMTok: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

/** Prices keyed by model id as the provider names it (`openai/gpt-4o-mini`). */
export const PriceTableSchema = z.record(z.string(), ModelPriceSchema);
export type PriceTable = z.infer<typeof PriceTableSchema>;

export interface CostInput {
  usage: Usage;
  /** What the provider reported (OpenRouter's `usage.cost`), if anything. */
  reportedCostUsd: number | null;
  /** Model ids to look up in the table, best first (the model that answered, then the one asked for). */
  models: readonly string[];
  prices: PriceTable;
}

/**
 * The cost of one call in USD: the provider's own figure when it reports one (OpenRouter bills in
 * USD credits at the served model's price), else tokens × the price table, else null (unknown).
 */
export function computeCostUsd({ usage, reportedCostUsd, models, prices }: CostInput): number | null {
  if (reportedCostUsd !== null && Number.isFinite(reportedCostUsd)) return reportedCostUsd;
  for (const model of models) {
    const price = prices[model];
    if (price) {
      return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
    }
  }
  return null;
}
