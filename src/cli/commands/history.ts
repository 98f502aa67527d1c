import { RegistryError } from '../../registry/index.js';
import { latestVersion, listLabels, listVersions } from '../../store/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { withRegistryStore } from './registry-store.js';

/** `opm history <slug>`: published versions with author and message, and which labels point where. */
export const historyCommand: CommandRegistrar = (program, context) => {
  program
    .command('history')
    .description('list the published versions of a prompt, newest first, with the labels on each')
    .argument('<slug>', 'e.g. acme/support/triage')
    .option('--json', 'print {"slug","versions":[...]} as JSON')
    .action(async (slug: string, flags: { json?: boolean }) => {
      const json = flags.json === true;
      await context.guard({ json }, async () => {
        const { versions, labels, latest } = await withRegistryStore(context, async ({ db }) => ({
          versions: await listVersions(db, slug),
          labels: await listLabels(db, slug),
          latest: await latestVersion(db, slug),
        }));
        if (versions.length === 0) {
          throw new RegistryError(
            'registry.slug_not_found',
            `Prompt "${slug}" has no published version. Run opm publish.`,
            {
              details: { slug },
            },
          );
        }
        const labelsOf = (version: string) => [
          ...(latest?.version === version ? ['latest'] : []),
          ...labels.flatMap((row) =>
            row.targets
              .filter((target) => target.version === version)
              .map((target) => (target.weight === 100 ? row.label : `${row.label} ${target.weight}%`)),
          ),
        ];
        const view = versions.map((v) => ({
          version: v.version,
          author: v.authorName,
          email: v.authorEmail,
          committedAt: v.committedAt,
          message: v.message,
          path: v.path,
          renamedFrom: v.renamedFrom,
          isDraft: v.isDraft,
          contentHash: v.contentHash,
          labels: labelsOf(v.version),
        }));
        if (json) {
          writeJson(context.io, { slug, versions: view });
          return;
        }
        writeLines(
          context.io,
          view.map((v) => {
            const tags = v.labels.length > 0 ? `  [${v.labels.join(', ')}]` : '';
            const renamed = v.renamedFrom ? `  (as ${v.renamedFrom})` : '';
            const firstLine = v.message.split('\n')[0] ?? '';
            return `${v.version}  ${v.committedAt.toISOString().slice(0, 16).replace('T', ' ')}  ${v.author} <${v.email}>  ${firstLine}${renamed}${tags}`;
          }),
        );
      });
    });
};
