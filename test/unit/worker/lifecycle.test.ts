import { describe, expect, it } from 'vitest';
import { createWorker, installShutdownHandlers } from '../../../src/worker/index.js';

const deps = {
  redis: 'redis://127.0.0.1:6379',
  prompts: { resolve: async () => Promise.reject(new Error('unused')) },
  render: () => ({ messages: [] }),
  gateway: { complete: async () => Promise.reject(new Error('unused')) },
  store: { write: async () => undefined, find: async () => null },
};

describe('createWorker', () => {
  it('refuses bad options when called, not on the first job', () => {
    expect(() => createWorker({ ...deps, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createWorker({ ...deps, lockDurationMs: 1.5 })).toThrow(/lockDurationMs/);
    expect(() => createWorker({ ...deps, stalledIntervalMs: -1 })).toThrow(/stalledIntervalMs/);
  });

  it('closes safely without having started, and twice', async () => {
    const worker = createWorker({ ...deps, logger: { info() {}, warn() {}, error() {} } });
    await worker.close();
    await worker.close();
    await expect(worker.start()).rejects.toThrow(/closed/);
  });
});

describe('installShutdownHandlers', () => {
  it('closes the worker on SIGTERM, then exits 0', async () => {
    const calls: string[] = [];
    let exited: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((resolve) => {
      exited = resolve;
    });
    const uninstall = installShutdownHandlers(
      { close: async () => void calls.push('close') },
      { exit: (code) => exited(code), onClosed: async () => void calls.push('onClosed') },
    );
    try {
      process.emit('SIGTERM');
      expect(await exitCode).toBe(0);
      expect(calls).toEqual(['close', 'onClosed']);
    } finally {
      uninstall();
    }
  });

  it('exits at once with 130 on a second signal while draining', async () => {
    const codes: number[] = [];
    const uninstall = installShutdownHandlers(
      { close: () => new Promise<void>(() => undefined) },
      { exit: (code) => void codes.push(code), signals: ['SIGINT'] },
    );
    try {
      process.emit('SIGINT');
      process.emit('SIGINT');
      expect(codes).toEqual([130]);
    } finally {
      uninstall();
    }
  });

  it('exits 1 when closing fails', async () => {
    let exited: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((resolve) => {
      exited = resolve;
    });
    const uninstall = installShutdownHandlers(
      { close: async () => Promise.reject(new Error('redis gone')) },
      { exit: (code) => exited(code) },
    );
    try {
      process.emit('SIGTERM');
      expect(await exitCode).toBe(1);
    } finally {
      uninstall();
    }
  });
});
