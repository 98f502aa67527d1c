import { InvalidArgumentError } from 'commander';
import { listAudit } from '../../store/index.js';
import { formatValue, writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { withRegistryStore } from './registry-store.js';

function describe(value: unknown): string {
  if (value === null || value === undefined) return '-';
  const targets = Array.isArray(value) ? value : (value as { targets?: unknown }).targets;
  if (Array.isArray(targets)) {
    return targets
      .map((t: { version?: string; weight?: number }) =>
        t.weight === 100 ? String(t.version) : `${t.version} ${t.weight}%`,
      )
      .join(' + ');
  }
  return formatValue(value, 80);
}

/** `opm audit [slug]`: publishes, deploys, weight changes and rollbacks, newest first. */
export const auditCommand: CommandRegistrar = (program, context) => {
  program
    .command('audit')
    .description('show the audit trail: who published, deployed or rolled back what, when and why')
    .argument('[slug]', 'only this prompt')
    .option('--label <name>', 'only this label')
    .option('--limit <n>', 'at most this many rows (default 100)', (value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer >= 1');
      return n;
    })
    .option('--json', 'print {"entries":[...]} as JSON')
    .action(async (slug: string | undefined, flags: { label?: string; limit?: number; json?: boolean }) => {
      const json = flags.json === true;
      await context.guard({ json }, async () => {
        const entries = await withRegistryStore(context, ({ db }) =>
          listAudit(db, { slug, label: flags.label, limit: flags.limit }),
        );
        if (json) {
          writeJson(context.io, { entries });
          return;
        }
        if (entries.length === 0) {
          writeLines(context.io, ['No audit entries.']);
          return;
        }
        writeLines(
          context.io,
          entries.map((entry) => {
            const where = entry.label === null ? entry.slug : `${entry.slug} ${entry.label}`;
            const move =
              entry.action === 'publish'
                ? describe((entry.after as { versions?: unknown })?.versions ?? entry.after)
                : `${describe(entry.before)} → ${describe(entry.after)}`;
            const reason = entry.reason ? `  "${entry.reason}"` : '';
            return `${entry.at.toISOString()}  ${entry.actor}  ${entry.action}  ${where}  ${move}${reason}`;
          }),
        );
      });
    });
};
