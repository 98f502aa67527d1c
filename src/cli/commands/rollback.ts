import { describeTargets, rollbackLabel } from '../../registry/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { resolveActor, withRegistryStore } from './registry-store.js';

/** `opm rollback <slug> --label production --reason "..."`: the label's previous target, in one step. */
export const rollbackCommand: CommandRegistrar = (program, context) => {
  program
    .command('rollback')
    .description('return a label to the target it had before its last change')
    .argument('<slug>', 'e.g. acme/support/triage')
    .requiredOption('--label <name>', 'the label to roll back')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .option('--actor <name>', 'who rolls back (default: git user.name <user.email>)')
    .option('--json', 'print the label change as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ opm rollback acme/support/triage --label production --reason "v2 misroutes refunds"',
    )
    .action(
      async (slug: string, flags: { label: string; reason: string; actor?: string; json?: boolean }) => {
        const json = flags.json === true;
        await context.guard({ json }, async () => {
          const actor = await resolveActor(context, flags.actor);
          const change = await withRegistryStore(context, (store) =>
            rollbackLabel({
              db: store.db,
              slug,
              label: flags.label,
              reason: flags.reason,
              actor,
              onChange: store.notify,
            }),
          );
          if (json) writeJson(context.io, change);
          else
            writeLines(context.io, [
              `${slug} ${flags.label}: ${describeTargets(change.before)} → ${describeTargets(change.after)} (rolled back)`,
            ]);
        });
      },
    );
};
