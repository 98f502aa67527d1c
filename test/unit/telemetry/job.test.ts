import { describe, expect, it } from 'vitest';
import {
  endingOfError,
  endingOfResult,
  instrumentProcessor,
  type TracedJob,
} from '../../../src/telemetry/index.js';
import { createMemoryTelemetry } from './memory-telemetry.js';

const job = (attemptsStarted: number, attempts: number): TracedJob => ({
  id: 'j1',
  name: 'prompt.run',
  queueName: 'prompt-runs',
  data: {},
  attemptsStarted,
  timestamp: 0,
  opts: { attempts },
});

function named(name: string, message = 'x'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('job endings', () => {
  it('reads a completed run result as completed and a failed one with its error code', () => {
    expect(endingOfResult({ status: 'completed' })).toEqual({ kind: 'completed' });
    expect(endingOfResult({ status: 'failed', error: { code: 'gateway.auth' } })).toEqual({
      kind: 'failed',
      errorType: 'gateway.auth',
    });
    expect(endingOfResult({ status: 'failed', error: null })).toEqual({
      kind: 'failed',
      errorType: '_OTHER',
    });
  });

  it('counts an UnrecoverableError as final, with the code from its "[code] message" form', () => {
    expect(
      endingOfError(named('UnrecoverableError', '[prompty.missing_input] ticket is required'), job(1, 3)),
    ).toEqual({
      kind: 'failed',
      errorType: 'prompty.missing_input',
    });
  });

  it('leaves delayed jobs and retries before the last attempt uncounted', () => {
    expect(endingOfError(named('DelayedError'), job(1, 3))).toEqual({ kind: 'pending' });
    expect(endingOfError(named('Error', '[gateway.transient] 503'), job(2, 3))).toEqual({ kind: 'pending' });
  });

  it('counts a retryable error on the last attempt as final', () => {
    expect(endingOfError(named('Error', '[gateway.all_failed] every model failed'), job(3, 3))).toEqual({
      kind: 'failed',
      errorType: 'gateway.all_failed',
    });
    expect(endingOfError(new TypeError('boom'), job(1, 1))).toEqual({
      kind: 'failed',
      errorType: 'TypeError',
    });
  });
});

describe('instrumentProcessor', () => {
  it('takes no abort signal, so BullMQ creates no AbortController per job', async () => {
    const memory = createMemoryTelemetry();
    const processor = instrumentProcessor(memory.telemetry, async (_job: TracedJob, _token?: string) => 1);
    expect(processor.length).toBe(2);
    await memory.shutdown();
  });
});
