import type { OpmClient, RunResult } from '../queue/index.js';

type Listener = (result: RunResult) => void;

/**
 * Fans the client's completion events out to the event streams: per job id and to every
 * subscriber. One reader of the queue's event stream serves every open SSE connection.
 */
export interface CompletionHub {
  /** Calls `listener` once when `jobId` finishes; returns the unsubscribe function. */
  waitFor(jobId: string, listener: Listener): () => void;
  /** Calls `listener` on every finished run; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void;
  close(): void;
}

export function createCompletionHub(client: OpmClient): CompletionHub {
  const waiters = new Map<string, Set<Listener>>();
  const subscribers = new Set<Listener>();
  const dispatch = (result: RunResult): void => {
    for (const listener of subscribers) listener(result);
    const forJob = waiters.get(result.jobId);
    if (!forJob) return;
    waiters.delete(result.jobId);
    for (const listener of forJob) listener(result);
  };
  const offCompleted = client.on('completed', dispatch);
  const offFailed = client.on('failed', dispatch);
  return {
    waitFor(jobId, listener) {
      let set = waiters.get(jobId);
      if (!set) {
        set = new Set();
        waiters.set(jobId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) waiters.delete(jobId);
      };
    },
    subscribe(listener) {
      subscribers.add(listener);
      return () => subscribers.delete(listener);
    },
    close() {
      offCompleted();
      offFailed();
      waiters.clear();
      subscribers.clear();
    },
  };
}
