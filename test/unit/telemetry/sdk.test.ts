import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createPrometheusReader,
  startTelemetry,
  TelemetryError,
  type TelemetrySettings,
} from '../../../src/telemetry/index.js';
import { freePort } from '../../support/free-port.js';

const off: TelemetrySettings = {
  telemetryEnabled: false,
  telemetryCaptureContent: false,
  metricsPort: undefined,
  otel: { protocol: 'http/protobuf', metricsExporter: 'otlp', metricExportIntervalMs: 60_000 },
};

describe('startTelemetry', () => {
  it('stays off (no SDK, no endpoint) unless OTLP or a metrics port is configured', async () => {
    const runtime = await startTelemetry(off);
    expect(runtime.isActive).toBe(false);
    expect(runtime.isExporting).toBe(false);
    expect(runtime.metricsUrl).toBeUndefined();
    expect(runtime.telemetry.captureContent).toBe(false);
    await runtime.shutdown();
  });
});

describe('createPrometheusReader', () => {
  it('fails at start-up with telemetry.metrics_port when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const error = await createPrometheusReader({ port, host: '127.0.0.1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TelemetryError);
      expect(error).toMatchObject({ code: 'telemetry.metrics_port', details: { port } });
    } finally {
      taken.close();
    }
  });

  it('serves the Prometheus text format at /metrics', async () => {
    const { reader, url } = await createPrometheusReader({ port: await freePort(), host: '127.0.0.1' });
    try {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
    } finally {
      await reader.shutdown();
    }
  });
});
