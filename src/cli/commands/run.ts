import path from 'node:path';
import { OpmError } from '../../errors/index.js';
import { type EnqueueOptions, RunFailedError } from '../../queue/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import {
  assertRedisReachable,
  assertWorkerAvailable,
  openClient,
  positiveInteger,
  startLocalWorker,
} from '../queue-session.js';
import { describeRun, outputText } from '../run-format.js';
import { parseVarAssignments, readVarsFile } from '../vars.js';

interface RunCommandOptions {
  var: string[];
  varsFile?: string;
  label?: string;
  model?: string;
  timeout?: string;
  local?: boolean;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `opm run <slug>`: enqueue one run, await it, print the answer and what it cost. */
export const runCommand: CommandRegistrar = (program, context) => {
  program
    .command('run')
    .description('run a prompt through the queue and a worker, and print its output')
    .argument('<slug>', 'the prompt slug, e.g. acme/support/triage')
    .option('--var <name=value>', 'an input value, repeatable; name:=<json> for JSON', collect, [])
    .option('--vars-file <file>', 'a JSON (or .yaml) object of input values; --var entries win')
    .option('--label <label>', 'deployment label to resolve (e.g. production)')
    .option('--model <model>', 'run this model instead of the prompt’s own')
    .option('--timeout <ms>', 'give up waiting after this many ms (the job keeps running)', '60000')
    .option('--local', 'start a worker inside this command instead of needing `opm worker`')
    .option('--json', 'print the run result as one JSON object (or {"error":{code,message}})')
    .addHelpText(
      'after',
      `
Needs a worker on the same queue (\`opm worker\` with the same REDIS_URL and OPM_QUEUE_PREFIX);
without one it fails at once, naming \`opm worker\`, unless --local runs one in this process.
The answer goes to stdout; model, tokens, cost and latency to stderr. A failed run exits 1 and,
with --json, prints the run's own error code (e.g. prompty.missing_input).

Examples:
  $ opm run acme/support/triage --var ticket="I was charged twice"
  $ opm run acme/support/triage --vars-file ticket.json --model openai/gpt-4o --json
  $ opm run acme/marketing/tagline --var product:='{"name":"Acme"}' --local`,
    )
    .action(async (slug: string, options: RunCommandOptions) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const timeoutMs = positiveInteger('--timeout', options.timeout);
        const fromFile =
          options.varsFile === undefined ? {} : readVarsFile(path.resolve(context.cwd, options.varsFile));
        const vars = { ...fromFile, ...parseVarAssignments(options.var) };
        const config = { ...context.config(), promptsDir: context.promptsRoot() };
        await assertRedisReachable(config.redisUrl);
        const local = options.local === true ? await startLocalWorker(config, context) : undefined;
        const client = openClient(config);
        try {
          if (!local) await assertWorkerAvailable(config);
          const runOptions: EnqueueOptions & { timeoutMs?: number } = {
            ...(options.label === undefined ? {} : { label: options.label }),
            ...(options.model === undefined ? {} : { model: options.model }),
            ...(timeoutMs === undefined ? {} : { timeoutMs }),
          };
          const result = await client.run(slug, vars, runOptions).catch((error: unknown) => {
            // Report the run's own error (prompty.missing_input...), not the SDK's wrapper code.
            if (!(error instanceof RunFailedError)) throw error;
            throw new OpmError(error.runError.code, `Run ${error.jobId} failed: ${error.runError.message}`, {
              details: { jobId: error.jobId, ...error.runError.details },
            });
          });
          if (json) {
            writeJson(context.io, result);
            return;
          }
          writeLines(context.io, [outputText(result)]);
          context.io.stderr.write(`${describeRun(result)}\n`);
        } finally {
          await client.close();
          await local?.close();
        }
      });
    });
};
