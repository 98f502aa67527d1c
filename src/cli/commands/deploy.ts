import { InvalidArgumentError } from 'commander';
import {
  deployVersion,
  describeTargets,
  type GuardThresholds,
  VersioningError,
} from '../../registry/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { parseSlugAtVersion, resolveActor, withRegistryStore } from './registry-store.js';

interface DeployFlags {
  label: string;
  weight?: number;
  variant?: string;
  reason: string;
  actor?: string;
  guardMinRuns?: number;
  guardMaxErrorRateDelta?: number;
  guardMaxP95Ratio?: number;
  guardMaxCostRatio?: number;
  json?: boolean;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a number > 0');
  return number;
}

function guardFrom(flags: DeployFlags): GuardThresholds | undefined {
  const thresholds = {
    maxErrorRateDelta: flags.guardMaxErrorRateDelta,
    maxP95Ratio: flags.guardMaxP95Ratio,
    maxCostRatio: flags.guardMaxCostRatio,
  };
  if (Object.values(thresholds).every((value) => value === undefined)) return undefined;
  return { minRuns: flags.guardMinRuns ?? 50, ...thresholds };
}

/** `opm deploy <slug>@<version> --label production [--weight 10] --reason "..."`. */
export const deployCommand: CommandRegistrar = (program, context) => {
  program
    .command('deploy')
    .description('point a label at a published version, or give it a share of the label (canary, A/B)')
    .argument('<slug@version>', 'e.g. acme/support/triage@a1b2c3d')
    .requiredOption('--label <name>', 'the label to move: production, staging, any name (not latest)')
    .option(
      '--weight <percent>',
      "share of the label's traffic for this version (default 100)",
      positiveNumber,
    )
    .option('--variant <name>', 'name recorded on runs for this version (default canary below 100%)')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .option('--actor <name>', 'who deploys (default: git user.name <user.email>)')
    .option('--guard-min-runs <n>', 'canary runs before the guard judges (default 50)', positiveNumber)
    .option(
      '--guard-max-error-rate-delta <rate>',
      'roll back when canary error rate exceeds stable by this (0..1)',
      positiveNumber,
    )
    .option(
      '--guard-max-p95-ratio <x>',
      'roll back when canary p95 latency exceeds stable p95 times this',
      positiveNumber,
    )
    .option(
      '--guard-max-cost-ratio <x>',
      'roll back when canary cost per run exceeds stable times this',
      positiveNumber,
    )
    .option('--json', 'print the label change as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ opm deploy acme/support/triage@a1b2c3d --label production --reason "ticket 42"\n' +
        '  $ opm deploy acme/support/triage@e4f5a6b --label production --weight 10 --reason "canary" \\\n' +
        '      --guard-max-error-rate-delta 0.05 --guard-min-runs 100',
    )
    .action(async (target: string, flags: DeployFlags) => {
      const json = flags.json === true;
      await context.guard({ json }, async () => {
        const parsed = parseSlugAtVersion(target);
        if (parsed === null) {
          throw new VersioningError(
            'registry.invalid_deploy',
            `Expected <slug>@<version>, got "${target}".`,
            {
              details: { argument: target },
            },
          );
        }
        const actor = await resolveActor(context, flags.actor);
        const guard = guardFrom(flags);
        const change = await withRegistryStore(context, (store) =>
          deployVersion({
            db: store.db,
            slug: parsed.slug,
            version: parsed.version,
            label: flags.label,
            weight: flags.weight,
            variant: flags.variant,
            reason: flags.reason,
            actor,
            guard,
            onChange: store.notify,
          }),
        );
        if (json) writeJson(context.io, change);
        else if (!change.changed)
          writeLines(context.io, [
            `${change.slug} ${change.label} already serves ${describeTargets(change.after)}; nothing changed.`,
          ]);
        else {
          writeLines(context.io, [
            `${change.slug} ${change.label}: ${describeTargets(change.before)} → ${describeTargets(change.after)}`,
            ...(guard === undefined
              ? []
              : [
                  '  guarded: the canary is rolled back automatically if it breaches its thresholds (opm guard).',
                ]),
          ]);
        }
      });
    });
};
