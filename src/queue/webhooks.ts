import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import {
  jobCatalog,
  parseJobPayload,
  WEBHOOK_DELIVER_JOB,
  WEBHOOKS_QUEUE,
  type WebhookDeliveryPayload,
} from './catalog.js';
import { connectionFor, DEFAULT_PREFIX, type RedisInput } from './connection.js';
import type { RunResult } from './results.js';

/** The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'X-Opm-Signature';

/** One endpoint that receives completion events. */
export const WebhookTargetSchema = z.object({
  url: z.url(),
  /** Key of the HMAC-SHA256 signature. */
  secret: z.string().min(1),
  /** A slug glob: `*` matches within one segment, `**` across segments. Every slug when omitted. */
  slugPattern: z.string().min(1).optional(),
  /** @default ['completed', 'failed'] */
  events: z
    .array(z.enum(['completed', 'failed']))
    .min(1)
    .optional(),
});
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

/** The JSON body of a webhook request. */
export interface WebhookBody {
  type: 'run.completed' | 'run.failed';
  jobId: string;
  data: RunResult;
}

/** One delivery attempt, as recorded for the user to inspect. */
export interface WebhookDeliveryRecord {
  jobId: string;
  url: string;
  event: 'completed' | 'failed';
  attempt: number;
  statusCode: number | null;
  ok: boolean;
  error: string | null;
  durationMs: number;
}

/** `sha256=<hex>`: the value of the signature header for `body`. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers: checks a signature header in constant time. */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | null | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Whether `slug` matches a glob where `*` stays within a segment and `**` crosses them. */
export function matchesSlugPattern(pattern: string, slug: string): boolean {
  const source = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`).test(slug);
}

/** The targets that want this result. */
export function selectWebhooks(targets: readonly WebhookTarget[], result: RunResult): WebhookTarget[] {
  return targets.filter(
    (target) =>
      (target.events ?? ['completed', 'failed']).includes(result.status) &&
      (target.slugPattern === undefined || matchesSlugPattern(target.slugPattern, result.slug)),
  );
}

export interface WebhookQueueOptions {
  redis: RedisInput;
  /** @default 'opm' */
  prefix?: string;
  targets: readonly WebhookTarget[];
}

/** Enqueues deliveries of finished runs; used by the prompt worker. */
export interface WebhookNotifier {
  /** Enqueues one delivery per matching target. Idempotent per (job, url, event). */
  notify(result: RunResult): Promise<void>;
  close(): Promise<void>;
}

export function createWebhookNotifier(options: WebhookQueueOptions): WebhookNotifier {
  const targets = options.targets.map((target) => WebhookTargetSchema.parse(target));
  const queue = new Queue(WEBHOOKS_QUEUE, {
    connection: connectionFor(options.redis, 'worker'),
    prefix: options.prefix ?? DEFAULT_PREFIX,
  });
  queue.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  return {
    async notify(result) {
      const matching = selectWebhooks(targets, result);
      if (matching.length === 0) return;
      await queue.addBulk(
        matching.map((target) => {
          const data = parseJobPayload(WEBHOOK_DELIVER_JOB, {
            url: target.url,
            event: result.status,
            result,
          });
          return {
            name: WEBHOOK_DELIVER_JOB,
            data,
            opts: { ...jobCatalog[WEBHOOK_DELIVER_JOB].options, jobId: deliveryJobId(data) },
          };
        }),
      );
    },
    close() {
      closing ??= queue.close();
      return closing;
    },
  };
}

export interface WebhookWorkerOptions extends WebhookQueueOptions {
  /** Records every attempt (the store's `insertWebhookDelivery`). */
  record?: (delivery: WebhookDeliveryRecord) => Promise<void>;
  /** @default 8 */
  concurrency?: number;
  /** Per request. @default 10000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Delivers queued webhooks: signs, POSTs, records each attempt, retries with backoff. */
export interface WebhookWorker {
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const secrets = new Map(
    options.targets.map((target) => [target.url, WebhookTargetSchema.parse(target).secret]),
  );
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let worker: Worker | undefined;
  let closing: Promise<void> | undefined;

  async function deliver(payload: WebhookDeliveryPayload, attempt: number): Promise<void> {
    const secret = secrets.get(payload.url);
    if (secret === undefined) throw new UnrecoverableError(`No webhook configured for ${payload.url}`);
    const body: WebhookBody = {
      type: payload.event === 'completed' ? 'run.completed' : 'run.failed',
      jobId: payload.result.jobId,
      data: payload.result,
    };
    const text = JSON.stringify(body);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await doFetch(payload.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'opm-webhooks',
          [SIGNATURE_HEADER]: signWebhookBody(secret, text),
          'X-Opm-Event': body.type,
        },
        body: text,
        signal: AbortSignal.timeout(timeoutMs),
      });
      statusCode = response.status;
      await response.body?.cancel();
      if (!response.ok) error = `HTTP ${response.status}`;
    } catch (caught) {
      error = (caught as Error).message;
    }
    await options.record?.({
      jobId: payload.result.jobId,
      url: payload.url,
      event: payload.event,
      attempt,
      statusCode,
      ok: error === null,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    if (error === null) return;
    // A client error other than timeout/rate limit will not change by retrying.
    if (
      statusCode !== null &&
      statusCode >= 400 &&
      statusCode < 500 &&
      statusCode !== 408 &&
      statusCode !== 429
    ) {
      throw new UnrecoverableError(error);
    }
    throw new Error(error);
  }

  return {
    async start() {
      worker = new Worker(
        WEBHOOKS_QUEUE,
        async (job) => deliver(parseJobPayload(WEBHOOK_DELIVER_JOB, job.data), job.attemptsMade + 1),
        {
          connection: connectionFor(options.redis, 'worker'),
          prefix: options.prefix ?? DEFAULT_PREFIX,
          concurrency: options.concurrency ?? 8,
        },
      );
      worker.on('error', () => undefined);
      await worker.waitUntilReady();
    },
    close() {
      closing ??= worker?.close() ?? Promise.resolve();
      return closing;
    },
  };
}

function deliveryJobId(payload: WebhookDeliveryPayload): string {
  const digest = createHash('sha256')
    .update(`${payload.result.jobId}\n${payload.url}\n${payload.event}`)
    .digest('hex');
  return `wh-${digest.slice(0, 40)}`;
}
