import cliProgress from 'cli-progress';
import type { CliIo } from './output.js';

/** A progress display for a known number of steps. */
export interface Progress {
  /** Moves the bar to `done` of its total. */
  update(done: number): void;
  /** Finishes the bar (it stays on screen). Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  io: CliIo;
  /** What is counted, shown before the bar: `enqueued`, `finished`. */
  label: string;
  total: number;
  /** `--json` output: never draw, so stdout and stderr stay machine-readable. */
  json: boolean;
}

const silent: Progress = { update() {}, stop() {} };

/** True when `stream` is a terminal (a bar redrawn in a pipe or a log file is only noise). */
function isTerminal(stream: CliIo['stderr']): stream is NodeJS.WriteStream {
  return (stream as Partial<NodeJS.WriteStream>).isTTY === true;
}

/**
 * A cli-progress bar on stderr. It draws only when stderr is a terminal and `--json` is off,
 * so piped output and tests see nothing from it.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.io.stderr;
  if (options.json || !isTerminal(stream) || options.total <= 0) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${options.label.padEnd(9)} {bar} {value}/{total} ({percentage}%) {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0);
  let isStopped = false;
  return {
    update(done) {
      if (!isStopped) bar.update(Math.min(done, options.total));
    },
    stop() {
      if (isStopped) return;
      isStopped = true;
      bar.stop();
    },
  };
}
