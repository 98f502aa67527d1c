import { publishPrompts } from '../../registry/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { resolveActor, withRegistryStore } from './registry-store.js';

interface PublishFlags {
  repo?: string;
  allowDirty?: boolean;
  actor?: string;
  json?: boolean;
}

/** `opm publish [--repo DIR] [--allow-dirty]`: imports the prompts folder's git history as immutable versions. */
export const publishCommand: CommandRegistrar = (program, context) => {
  program
    .command('publish')
    .description('import every committed version of every prompt from git into the database (idempotent)')
    .option('--repo <dir>', 'the git repository (default: found upwards from the prompts folder)')
    .option('--allow-dirty', 'publish uncommitted prompt files as draft versions instead of refusing')
    .option('--actor <name>', 'who publishes, for the audit log (default: git user.name <user.email>)')
    .option('--json', 'print the publish report as JSON')
    .addHelpText('after', '\nExamples:\n  $ opm publish\n  $ opm publish --repo ../prompts-repo --json')
    .action(async (flags: PublishFlags) => {
      const json = flags.json === true;
      await context.guard({ json }, async () => {
        const actor = await resolveActor(context, flags.actor);
        const report = await withRegistryStore(context, (store) =>
          publishPrompts({
            db: store.db,
            promptsDir: context.promptsRoot(),
            repoDir: flags.repo === undefined ? undefined : flags.repo,
            actor,
            allowDirty: flags.allowDirty === true,
            onChange: store.notify,
          }),
        );
        for (const bad of report.invalid) {
          context.io.stderr.write(
            `opm: warning: ${bad.slug}@${bad.version} does not load (${bad.code}: ${bad.message}); it cannot be deployed.\n`,
          );
        }
        if (json) {
          writeJson(context.io, report);
          return;
        }
        writeLines(context.io, [
          ...report.published.map(
            (v) =>
              `published ${v.slug}@${v.version}${v.isDraft ? ' (draft)' : ''}${v.renamedFrom ? ` (was ${v.renamedFrom})` : ''}`,
          ),
          ...report.renames.map(
            (r) =>
              `renamed ${r.from} → ${r.to} in ${r.commitSha.slice(0, 7)}; its history is kept under ${r.to}`,
          ),
          `${report.published.length} new version(s), ${report.unchanged} already published (HEAD ${report.head.slice(0, 7)}).`,
        ]);
      });
    });
};
