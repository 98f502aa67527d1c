import fs from 'node:fs';
import path from 'node:path';
import { isOpmError } from '../../errors/index.js';
import type { ChatMessage } from '../../prompty/index.js';
import { createFileSource, isValidSlug, type ResolvedPrompt, renderPrompt } from '../../registry/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CliContext, CommandRegistrar } from '../program.js';
import { parseVarAssignments, readVarsFile } from '../vars.js';

interface RenderOptions {
  var: string[];
  varsFile?: string;
  sample?: boolean;
  json?: boolean;
}

/** A target is a file path when it names one (`./x.prompty`, `a/b.prompty`), else a slug. */
function looksLikePath(target: string): boolean {
  return (
    target.endsWith('.prompty') || target.includes('\\') || target.startsWith('.') || path.isAbsolute(target)
  );
}

/** Distinct unset variables stood in for before giving up. */
const MAX_ENV_STAND_INS = 20;

function resolveWith(context: CliContext, target: string, env: Record<string, string | undefined>) {
  const isSlug = !looksLikePath(target) || isValidSlug(target);
  const promptsRoot = context.promptsRoot();
  const file = path.resolve(context.cwd, target);
  // A draft outside any prompts folder still renders, with its own folder as the root.
  const root = isSlug || fs.existsSync(promptsRoot) ? promptsRoot : path.dirname(file);
  const source =
    root === promptsRoot && env === context.env ? context.openSource() : createFileSource({ root, env });
  return isSlug ? source.resolve({ slug: target }) : source.resolvePath(file);
}

/**
 * Resolves the target. Rendering needs no credentials, so an unset `${env:}` variable (typically an
 * API key in the connection) gets a visible stand-in and a warning on stderr instead of failing.
 */
async function resolveTarget(context: CliContext, target: string): Promise<ResolvedPrompt> {
  let env = context.env;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await resolveWith(context, target, env);
    } catch (error) {
      const variable = isOpmError(error) ? error.details?.variable : undefined;
      const isUnsetEnv = isOpmError(error) && error.code === 'prompty.env_not_set';
      if (!isUnsetEnv || typeof variable !== 'string' || attempt >= MAX_ENV_STAND_INS) throw error;
      context.io.stderr.write(
        `opm: warning: $\{env:${variable}} is not set; rendering with "unset-${variable}"\n`,
      );
      env = { ...env, [variable]: `unset-${variable}` };
    }
  }
}

function contentLines(content: ChatMessage['content']): string[] {
  if (typeof content === 'string') return [content];
  return content.map((part) => {
    if (part.type === 'text') return part.text;
    if (part.type === 'image_url') {
      const url = part.image_url.url;
      return `[image: ${url.startsWith('data:') ? `${url.slice(0, 40)}… (${url.length} chars)` : url}]`;
    }
    if (part.type === 'input_audio') return `[audio: ${part.input_audio.format}]`;
    return `[file: ${part.file.filename ?? part.file.file_id ?? 'inline'}]`;
  });
}

function humanLines(messages: readonly ChatMessage[]): string[] {
  return messages.flatMap((message, index) => {
    const attributes = message.metadata ? ` ${JSON.stringify(message.metadata)}` : '';
    const heading = `── ${message.role}${message.name ? ` (${message.name})` : ''}${attributes} ──`;
    return [...(index > 0 ? [''] : []), heading, ...contentLines(message.content)];
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `opm render <slug-or-path>`: the chat messages a prompt produces for some input values. */
export const renderCommand: CommandRegistrar = (program, context) => {
  program
    .command('render')
    .description('render a prompt into chat messages, without calling any model')
    .argument('<slug-or-path>', 'a slug (acme/support/triage) or a .prompty file path')
    .option(
      '--var <name=value>',
      'an input value, repeatable; name=value is a string, name:=<json> is JSON',
      collect,
      [],
    )
    .option('--vars-file <file>', 'a JSON (or .yaml) object of input values; --var entries win')
    .option('--sample', 'fill inputs you did not give from their example/sample values')
    .option('--json', 'print exactly one JSON object {"messages":[...]} (or {"error":{code,message}})')
    .addHelpText(
      'after',
      `
Values:
  --var name=Ada          the string "Ada" (always a string, even 42 or true)
  --var count:=3          JSON: the number 3; also :=true, :='["a","b"]', :='{"k":1}'

Examples:
  $ opm render acme/support/triage --var ticket="I was charged twice"
  $ opm render acme/support/reply --vars-file ./conversation.json --json
  $ opm render ./prompts/acme/marketing/tagline.prompty --sample`,
    )
    .action(async (target: string, options: RenderOptions) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const fromFile =
          options.varsFile === undefined ? {} : readVarsFile(path.resolve(context.cwd, options.varsFile));
        const values = { ...fromFile, ...parseVarAssignments(options.var) };
        const resolved = await resolveTarget(context, target);
        const rendered = renderPrompt(resolved, values, { useSample: options.sample === true });
        if (json) writeJson(context.io, { messages: rendered.messages });
        else writeLines(context.io, humanLines(rendered.messages));
      });
    });
};
