import {
  type Db,
  type LabelGuard,
  listGuardedLabels,
  type PromptLabel,
  type VersionRunStats,
  versionRunStats,
} from '../store/index.js';
import { type LabelChange, rollbackLabel } from './deploy.js';

/** The actor recorded on automatic rollbacks. */
export const GUARD_ACTOR = 'guard';

/** What the guard concluded about one canary. */
export interface GuardVerdict {
  slug: string;
  label: string;
  canary: string;
  canaryStats: VersionRunStats;
  stableStats: VersionRunStats;
  /** False until the canary has `minRuns` runs. */
  isJudged: boolean;
  /** One line per breached threshold, with the figures. */
  breaches: string[];
  /** The rollback made, when a threshold was breached. */
  rollback: LabelChange | null;
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/**
 * Compares a canary with the stable versions of its label. Pure: the figures come from
 * {@link versionRunStats}. Returns the breached thresholds, each with its figures.
 */
export function judgeCanary(
  guard: LabelGuard,
  canary: VersionRunStats,
  stable: VersionRunStats,
): { isJudged: boolean; breaches: string[] } {
  if (canary.runs < guard.minRuns) return { isJudged: false, breaches: [] };
  const breaches: string[] = [];
  const runsNote = `over ${canary.runs} canary runs and ${stable.runs} stable runs`;
  if (
    guard.maxErrorRateDelta !== undefined &&
    canary.errorRate - stable.errorRate > guard.maxErrorRateDelta
  ) {
    breaches.push(
      `error rate ${percent(canary.errorRate)} (${canary.failed}/${canary.runs}) vs stable ${percent(stable.errorRate)}, ` +
        `allowed +${percent(guard.maxErrorRateDelta)} ${runsNote}`,
    );
  }
  if (guard.maxP95Ratio !== undefined && canary.p95Ms !== null && stable.p95Ms !== null && stable.p95Ms > 0) {
    const ratio = canary.p95Ms / stable.p95Ms;
    if (ratio > guard.maxP95Ratio) {
      breaches.push(
        `p95 latency ${Math.round(canary.p95Ms)} ms vs stable ${Math.round(stable.p95Ms)} ms ` +
          `(x${ratio.toFixed(2)}, allowed x${guard.maxP95Ratio}) ${runsNote}`,
      );
    }
  }
  if (
    guard.maxCostRatio !== undefined &&
    canary.meanCostUsd !== null &&
    stable.meanCostUsd !== null &&
    stable.meanCostUsd > 0
  ) {
    const ratio = canary.meanCostUsd / stable.meanCostUsd;
    if (ratio > guard.maxCostRatio) {
      breaches.push(
        `cost per run $${canary.meanCostUsd.toPrecision(3)} vs stable $${stable.meanCostUsd.toPrecision(3)} ` +
          `(x${ratio.toFixed(2)}, allowed x${guard.maxCostRatio}) ${runsNote}`,
      );
    }
  }
  return { isJudged: true, breaches };
}

/** Options for {@link checkGuards}. */
export interface CheckGuardsOptions {
  db: Db;
  /** Called after an automatic rollback commits (cache invalidation across workers). */
  onChange?: ((slug: string) => Promise<void>) | undefined;
  now?: (() => Date) | undefined;
}

async function checkLabel(
  options: CheckGuardsOptions,
  row: PromptLabel,
  guard: LabelGuard,
): Promise<GuardVerdict> {
  const stableVersions = row.targets
    .map((target) => target.version)
    .filter((version) => version !== guard.canary);
  const filter = { slug: row.slug, label: row.label, since: new Date(guard.since) };
  const [canaryStats, stableStats] = await Promise.all([
    versionRunStats(options.db, { ...filter, versions: [guard.canary] }),
    versionRunStats(options.db, { ...filter, versions: stableVersions }),
  ]);
  const { isJudged, breaches } = judgeCanary(guard, canaryStats, stableStats);
  const verdict: GuardVerdict = {
    slug: row.slug,
    label: row.label,
    canary: guard.canary,
    canaryStats,
    stableStats,
    isJudged,
    breaches,
    rollback: null,
  };
  if (breaches.length === 0) return verdict;
  verdict.rollback = await rollbackLabel({
    db: options.db,
    slug: row.slug,
    label: row.label,
    actor: GUARD_ACTOR,
    reason: `canary ${guard.canary} breached its guard: ${breaches.join('; ')}`,
    ifRevision: row.revision,
    onChange: options.onChange,
    now: options.now,
  });
  return verdict;
}

/**
 * Checks every label that carries a canary guard once, and rolls back each canary that breaches a
 * threshold, audited as actor `guard` with the figures as the reason (`opm guard --once`).
 */
export async function checkGuards(options: CheckGuardsOptions): Promise<GuardVerdict[]> {
  const verdicts: GuardVerdict[] = [];
  for (const row of await listGuardedLabels(options.db)) {
    if (row.guard === null) continue;
    verdicts.push(await checkLabel(options, row, row.guard));
  }
  return verdicts;
}

/** Options for {@link createGuard}. */
export interface GuardOptions extends CheckGuardsOptions {
  /** Pause between checks. @default 5000 */
  intervalMs?: number;
  /** Sees every verdict (logging). */
  onVerdict?: (verdict: GuardVerdict) => void;
  /** Sees a failed check; the loop carries on. */
  onError?: (error: unknown) => void;
}

/** A guard loop: part of a worker process, or `opm guard`. */
export interface CanaryGuard {
  start(): void;
  /** Runs one check now (also what the loop runs). */
  checkNow(): Promise<GuardVerdict[]>;
  /** Stops the loop after the check in progress; safe to call twice. */
  close(): Promise<void>;
}

/** Creates a loop that runs {@link checkGuards} every `intervalMs`. */
export function createGuard(options: GuardOptions): CanaryGuard {
  const intervalMs = options.intervalMs ?? 5_000;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${options.intervalMs}`);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let isClosed = false;

  async function checkNow(): Promise<GuardVerdict[]> {
    const verdicts = await checkGuards(options);
    for (const verdict of verdicts) options.onVerdict?.(verdict);
    return verdicts;
  }

  function schedule(): void {
    if (isClosed) return;
    timer = setTimeout(() => {
      running = checkNow()
        .catch((error: unknown) => options.onError?.(error))
        .finally(schedule);
    }, intervalMs);
  }

  return {
    start() {
      if (timer === undefined && !isClosed) schedule();
    },
    checkNow,
    async close() {
      isClosed = true;
      if (timer !== undefined) clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}
