import { InvalidArgumentError } from 'commander';
import { Redis } from 'ioredis';
import { createGuard, type GuardVerdict, publishInvalidation } from '../../registry/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { withRegistryStore } from './registry-store.js';

function verdictLine(verdict: GuardVerdict): string {
  const where = `${verdict.slug} ${verdict.label} canary ${verdict.canary}`;
  if (verdict.rollback?.changed) return `${where}: ROLLED BACK — ${verdict.breaches.join('; ')}`;
  if (!verdict.isJudged) return `${where}: waiting (${verdict.canaryStats.runs} canary runs so far)`;
  return `${where}: healthy (${verdict.canaryStats.runs} runs, error rate ${(verdict.canaryStats.errorRate * 100).toFixed(1)}%)`;
}

/** `opm guard [--once]`: watches guarded canaries and rolls back the ones that breach their thresholds. */
export const guardCommand: CommandRegistrar = (program, context) => {
  program
    .command('guard')
    .description('watch guarded canaries and roll back any that breaches its thresholds (actor "guard")')
    .option('--once', 'check every guarded label once and exit')
    .option('--interval-ms <ms>', 'pause between checks (default 5000)', (value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 100) throw new InvalidArgumentError('expected an integer >= 100');
      return n;
    })
    .option('--json', 'print each verdict as one JSON line')
    .action(async (flags: { once?: boolean; intervalMs?: number; json?: boolean }) => {
      const json = flags.json === true;
      await context.guard({ json }, async () => {
        await withRegistryStore(context, async ({ db, notify }) => {
          const report = (verdict: GuardVerdict) => {
            if (json) context.io.stdout.write(`${JSON.stringify(verdict)}\n`);
            else writeLines(context.io, [verdictLine(verdict)]);
          };
          if (flags.once === true) {
            const guard = createGuard({ db, onChange: notify });
            const verdicts = await guard.checkNow();
            if (json) writeJson(context.io, { verdicts });
            else
              writeLines(
                context.io,
                verdicts.length === 0 ? ['No guarded canaries.'] : verdicts.map(verdictLine),
              );
            return;
          }
          // A long-running guard keeps one Redis connection for its invalidations.
          const config = context.config();
          const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
          redis.on('error', () => {});
          const guard = createGuard({
            db,
            intervalMs: flags.intervalMs ?? 5_000,
            onChange: (slug) =>
              publishInvalidation(redis, config.queuePrefix, slug).catch(() => notify(slug)),
            onVerdict: (verdict) => {
              if (verdict.rollback?.changed) report(verdict);
            },
            onError: (error) => context.io.stderr.write(`opm guard: check failed: ${String(error)}\n`),
          });
          guard.start();
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await guard.close();
          redis.disconnect();
        });
      });
    });
};
