/**
 * Throughput of opm's cached resolve + render + parse (registry.resolve + preparePrompt) against raw
 * compiled nunjucks `render()` of the same templates with the same values, in one run.
 * Run: `npm run bench:render`. The last line is `{"ratio": ours / raw, "cpuRatio": raw CPU per op /
 * ours}`; the goal is ratio >= 0.5.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { preparePrompt, resolveInputs } from '../src/prompty/index.js';
import { createFileSource, createNodePromptyHost } from '../src/registry/index.js';

// Long enough for V8 to optimise both contenders: a worker renders at steady state.
const WARMUP_OPS = 30_000;
const MEASURED_OPS = Number(process.env.BENCH_OPS ?? 100_000);
/** Rounds alternate between the two contenders; the median round counts, so one GC pause does not. */
const ROUNDS = 5;

const root = process.env.OPM_PROMPTS_DIR ?? fileURLToPath(new URL('../prompts', import.meta.url));
const source = createFileSource({ root, env: process.env });
const host = createNodePromptyHost();
const raw = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

const cases = await Promise.all(
  (await source.list())
    .filter((summary) => summary.error === null)
    .map(async (summary) => {
      const { prompt } = await source.resolve({ slug: summary.slug });
      const values = resolveInputs(prompt, {}, { useSample: true });
      return {
        slug: summary.slug,
        values,
        compiled: nunjucks.compile(prompt.instructions, raw),
      };
    }),
);
if (cases.length === 0) throw new Error(`No loadable prompts under ${path.resolve(root)}`);

async function ours(index: number): Promise<number> {
  const item = cases[index % cases.length];
  if (!item) return 0;
  const { prompt } = await source.resolve({ slug: item.slug });
  return preparePrompt(prompt, item.values, { host }).messages.length;
}

async function rawNunjucks(index: number): Promise<number> {
  const item = cases[index % cases.length];
  return item ? item.compiled.render(item.values).length : 0;
}

interface Round {
  opsPerSecond: number;
  /** CPU of this process per op: unlike ops/s, barely moved by other load on the machine. */
  cpuMicrosPerOp: number;
  sink: number;
}

async function measure(run: (index: number) => Promise<number>): Promise<Round> {
  let sink = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let index = 0; index < MEASURED_OPS; index += 1) sink += await run(index);
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    opsPerSecond: MEASURED_OPS / seconds,
    cpuMicrosPerOp: (used.user + used.system) / MEASURED_OPS,
    sink,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

console.log(
  `${cases.length} prompts from ${path.resolve(root)}: ${cases.map((item) => item.slug).join(', ')}`,
);
for (let index = 0; index < WARMUP_OPS; index += 1) {
  await rawNunjucks(index);
  await ours(index);
}
const rounds = { raw: [] as Round[], ours: [] as Round[] };
let checksum = 0;
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, run] of [
    ['raw', rawNunjucks],
    ['ours', ours],
  ] as const) {
    const result = await measure(run);
    rounds[name].push(result);
    checksum += result.sink;
  }
}
await source.close?.();
const rawOps = median(rounds.raw.map((r) => r.opsPerSecond));
const ourOps = median(rounds.ours.map((r) => r.opsPerSecond));
const rawCpu = median(rounds.raw.map((r) => r.cpuMicrosPerOp));
const ourCpu = median(rounds.ours.map((r) => r.cpuMicrosPerOp));
const show = (name: string, ops: number, cpu: number) =>
  console.log(
    `${name.padEnd(34)} ${ops.toFixed(0).padStart(9)} ops/s  ${cpu.toFixed(2)} µs CPU/op  (median of ${ROUNDS} rounds of ${MEASURED_OPS} ops)`,
  );
show('raw nunjucks compiled render()', rawOps, rawCpu);
show('opm resolve + preparePrompt', ourOps, ourCpu);
// Printing what the loops produced keeps the engine from optimising the work away.
console.log(`checksum ${checksum}`);
console.log(
  JSON.stringify({
    ratio: Number((ourOps / rawOps).toFixed(3)),
    cpuRatio: Number((rawCpu / ourCpu).toFixed(3)),
  }),
);
