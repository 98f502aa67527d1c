import type { PromptSummary } from '../../registry/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';

function table(prompts: readonly PromptSummary[]): string[] {
  const slugWidth = Math.max(4, ...prompts.map((prompt) => prompt.slug.length));
  const modelWidth = Math.max(5, ...prompts.map((prompt) => (prompt.model ?? '-').length));
  const row = (slug: string, model: string, about: string) =>
    `${slug.padEnd(slugWidth)}  ${model.padEnd(modelWidth)}  ${about}`.trimEnd();
  return [
    row('SLUG', 'MODEL', 'DESCRIPTION'),
    ...prompts.map((prompt) =>
      prompt.error
        ? row(prompt.slug, '-', `(does not load: ${prompt.error.code}; run opm validate)`)
        : row(prompt.slug, prompt.model ?? '-', prompt.description ?? prompt.name),
    ),
  ];
}

/** `opm list [--json]`: every prompt under the prompts folder. */
export const listCommand: CommandRegistrar = (program, context) => {
  program
    .command('list')
    .description('list the prompts under the prompts folder, by slug')
    .option('--json', 'print {"prompts":[{slug,name,description,model,version,path,error}]}')
    .addHelpText('after', '\nExamples:\n  $ opm list\n  $ opm --prompts ./other-prompts list --json')
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const prompts = await context.openSource().list();
        if (json) writeJson(context.io, { prompts });
        else if (prompts.length === 0) writeLines(context.io, [`No prompts under ${context.promptsRoot()}.`]);
        else writeLines(context.io, table(prompts));
      });
    });
};
