import fs from 'node:fs';
import path from 'node:path';
import { type BatchInput, readBatchInput } from '../batch-input.js';
import { enqueueWithProgress, waitWithProgress } from '../batch-progress.js';
import { type BatchRecord, type BatchSummary, buildRecords, summarize } from '../batch-report.js';
import { CliError } from '../errors.js';
import { writeJson, writeLines } from '../output.js';
import type { CliContext, CommandRegistrar } from '../program.js';
import {
  assertRedisReachable,
  assertWorkerAvailable,
  openClient,
  positiveInteger,
  startLocalWorker,
} from '../queue-session.js';
import { formatCost, formatMs } from '../run-format.js';
import { createRunTracker } from '../run-tracker.js';

interface BatchCommandOptions {
  input: string;
  output?: string;
  /** commander's `--no-wait` sets `wait: false`. */
  wait: boolean;
  label?: string;
  model?: string;
  local?: boolean;
  concurrency?: string;
  timeout?: string;
  json?: boolean;
}

function reportBadLines(context: CliContext, input: BatchInput, file: string): void {
  for (const bad of input.bad) context.io.stderr.write(`opm: ${file}:${bad.line}: ${bad.message}\n`);
}

function summaryLines(summary: BatchSummary, output: string | undefined): string[] {
  const { latencyMs } = summary;
  return [
    `${summary.lines} lines: ${summary.completed} completed, ${summary.failed} failed, ` +
      `${summary.invalid} invalid, ${summary.pending} still pending`,
    `tokens ${summary.inputTokens}→${summary.outputTokens} · cost ${formatCost(summary.costUsd)} · ` +
      `latency p50 ${formatMs(latencyMs.p50)}, p95 ${formatMs(latencyMs.p95)} · wall ${formatMs(summary.wallMs)}`,
    ...(output === undefined ? [] : [`results: ${output}`]),
  ];
}

function writeRecords(
  context: CliContext,
  records: readonly BatchRecord[],
  output: string | undefined,
): void {
  const text = records.map((record) => JSON.stringify(record)).join('\n');
  if (output === undefined) writeLines(context.io, text === '' ? [] : [text]);
  else fs.writeFileSync(output, text === '' ? '' : `${text}\n`);
}

/** `opm batch <slug> --input items.jsonl`: one job per line, results back in input order. */
export const batchCommand: CommandRegistrar = (program, context) => {
  program
    .command('batch')
    .description('enqueue one run per JSONL line of variables, wait, and write results in input order')
    .argument('<slug>', 'the prompt slug every line runs')
    .requiredOption('-i, --input <file>', 'JSON Lines: one object of input variables per line (- for stdin)')
    .option('-o, --output <file>', 'where results go as JSON Lines (default: stdout)')
    .option('--no-wait', 'enqueue, print the job ids and return')
    .option('--label <label>', 'deployment label to resolve for every line')
    .option('--model <model>', 'run this model instead of the prompt’s own')
    .option('--local', 'start a worker inside this command instead of needing `opm worker`')
    .option('-c, --concurrency <n>', 'concurrency of the --local worker (default: OPM_CONCURRENCY)')
    .option('--timeout <ms>', 'stop waiting after this many ms; unfinished lines are reported pending')
    .option('--json', 'print one JSON object: the summary (and the results when there is no --output)')
    .addHelpText(
      'after',
      `
Lines that are not JSON objects are reported with their line numbers and not enqueued; the rest
run. Results (one per input line, in input order, with job id and status completed | failed |
invalid | pending) go to --output or stdout; the progress bar and the summary (counts, tokens,
cost, p50/p95 latency) go to stderr. Exit code 1 when any line is invalid, failed or pending.

Examples:
  $ opm batch acme/support/triage --input tickets.jsonl --output results.jsonl
  $ opm batch acme/support/triage --input tickets.jsonl --no-wait > job-ids.txt
  $ cat tickets.jsonl | opm batch acme/support/triage --input - --local --concurrency 32`,
    )
    .action(async (slug: string, options: BatchCommandOptions) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        if (options.local === true && !options.wait) {
          throw new CliError(
            'cli.invalid_option',
            '--local needs to wait for the runs; drop --no-wait or --local.',
            {
              option: '--local',
            },
          );
        }
        const concurrency = positiveInteger('--concurrency', options.concurrency);
        const timeoutMs = positiveInteger('--timeout', options.timeout);
        const inputFile = options.input === '-' ? '-' : path.resolve(context.cwd, options.input);
        const output = options.output === undefined ? undefined : path.resolve(context.cwd, options.output);
        const input = readBatchInput(inputFile);
        reportBadLines(context, input, options.input);
        const config = { ...context.config(), promptsDir: context.promptsRoot() };
        await assertRedisReachable(config.redisUrl);
        const local =
          options.local === true ? await startLocalWorker(config, { ...context, concurrency }) : undefined;
        const client = openClient(config);
        const tracker = createRunTracker({ client, config });
        const started = Date.now();
        try {
          if (!local && options.wait) await assertWorkerAvailable(config);
          const opts = {
            ...(options.label === undefined ? {} : { label: options.label }),
            ...(options.model === undefined ? {} : { model: options.model }),
          };
          const jobIds = await enqueueWithProgress(
            client,
            input.items.map((item) => ({ slug, vars: item.vars, opts })),
            { io: context.io, json },
          );
          const items = input.items.map((item, index) => ({ ...item, jobId: jobIds[index] ?? '' }));
          if (!options.wait) {
            const records = buildRecords(items, input.bad, undefined);
            if (output !== undefined) writeRecords(context, records, output);
            if (json) writeJson(context.io, { jobIds, invalid: input.bad });
            else writeLines(context.io, jobIds);
            if (input.bad.length > 0) context.setExitCode(1);
            return;
          }
          const results = await waitWithProgress(tracker, jobIds, { io: context.io, json, timeoutMs });
          const records = buildRecords(items, input.bad, results);
          const summary = summarize(records, Date.now() - started);
          if (json) {
            if (output !== undefined) writeRecords(context, records, output);
            writeJson(context.io, { summary, ...(output === undefined ? { results: records } : { output }) });
          } else {
            writeRecords(context, records, output);
            context.io.stderr.write(`${summaryLines(summary, output).join('\n')}\n`);
          }
          if (summary.invalid + summary.failed + summary.pending > 0) context.setExitCode(1);
        } finally {
          await tracker.close();
          await client.close();
          await local?.close();
        }
      });
    });
};
