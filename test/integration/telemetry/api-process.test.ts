import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiStack, startApiStack } from '../../support/api-stack.js';
import { eventually } from '../queue/support.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

const SERVER = 2;
const PRODUCER = 4;

/**
 * `opm serve` and `opm worker` as processes exporting over OTLP: a caller's `traceparent` on
 * `POST /v1/runs` is continued by the API's server span, the enqueue and every span of the worker,
 * so one trace runs from the caller's request to the stored run.
 */
describe('telemetry of an API process', () => {
  let receiver: OtlpReceiver;
  let stack: ApiStack;
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startApiStack(undefined, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    });
    const response = await fetch(`${stack.baseUrl}/v1/runs?wait=true&timeoutMs=20000`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.adminKey}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${callerSpanId}-01`,
      },
      body: JSON.stringify({ slug: 'acme/greeting', vars: { person: 'Ada' } }),
    });
    expect(response.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const spansOfTrace = () => receiver.spans.filter((span) => span.traceId === traceId);

  it("continues the caller's trace in a server span of the API process", async () => {
    await eventually(async () => spansOfTrace().some((span) => span.kind === SERVER), 20_000, 100);
    const server = spansOfTrace().find((span) => span.kind === SERVER);
    expect(server).toMatchObject({ service: 'opm-api', parentSpanId: callerSpanId });
    expect(server?.attributes).toMatchObject({ 'http.request.method': 'POST' });
  });

  it('enqueues under that server span, and the worker continues the same trace', async () => {
    const names = () => spansOfTrace().map((span) => span.name);
    // The consumer span ends last (after the run is stored), so it may come in a later export.
    await eventually(
      async () => names().includes('opm.run.persist') && names().includes('process prompt-runs'),
      20_000,
      100,
    );
    const spans = spansOfTrace();
    const server = spans.find((span) => span.kind === SERVER);
    const enqueue = spans.find((span) => span.kind === PRODUCER && span.service === 'opm-api');
    expect(enqueue?.parentSpanId).toBe(server?.spanId);
    const workerSpans = spans.filter((span) => span.service === 'opm-worker');
    expect(workerSpans.map((span) => span.name)).toEqual(
      expect.arrayContaining(['process prompt-runs', 'opm.prompt.render', 'opm.run.persist']),
    );
  });
});
