import { describeTargets } from '../../registry/index.js';
import { latestVersion, listLabels } from '../../store/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { withRegistryStore } from './registry-store.js';

/** `opm labels <slug>`: where each label of a prompt points. */
export const labelsCommand: CommandRegistrar = (program, context) => {
  program
    .command('labels')
    .description('show where each label of a prompt points (latest is automatic)')
    .argument('<slug>', 'e.g. acme/support/triage')
    .option('--json', 'print {"slug","latest","labels":[...]} as JSON')
    .action(async (slug: string, flags: { json?: boolean }) => {
      const json = flags.json === true;
      await context.guard({ json }, async () => {
        const { labels, latest } = await withRegistryStore(context, async ({ db }) => ({
          labels: await listLabels(db, slug),
          latest: await latestVersion(db, slug),
        }));
        const view = labels.map((row) => ({
          label: row.label,
          targets: row.targets,
          guard: row.guard,
          revision: row.revision,
          updatedBy: row.updatedBy,
          updatedAt: row.updatedAt,
        }));
        if (json) {
          writeJson(context.io, { slug, latest: latest?.version ?? null, labels: view });
          return;
        }
        const width = Math.max(6, ...labels.map((row) => row.label.length));
        writeLines(context.io, [
          `${'latest'.padEnd(width)}  ${latest?.version ?? '(nothing published)'}  (automatic)`,
          ...labels.map(
            (row) =>
              `${row.label.padEnd(width)}  ${describeTargets(row.targets)}  (by ${row.updatedBy}, ${row.updatedAt.toISOString()}${row.guard ? ', guarded' : ''})`,
          ),
        ]);
      });
    });
};
