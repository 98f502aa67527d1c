import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/tmp', file: false });

describe('telemetry settings', () => {
  it('keeps telemetry and content capture off by default', () => {
    const config = load({});
    expect(config.telemetryEnabled).toBe(false);
    expect(config.telemetryCaptureContent).toBe(false);
    expect(config.metricsPort).toBeUndefined();
    expect(config.otel).toEqual({
      protocol: 'http/protobuf',
      metricsExporter: 'otlp',
      metricExportIntervalMs: 60_000,
    });
  });

  it('reads the opt-in, the metrics port and the OTEL_* settings opm acts on', () => {
    const config = load({
      OPM_TELEMETRY_CAPTURE_CONTENT: 'true',
      OPM_METRICS_PORT: '9464',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_SERVICE_NAME: 'opm-worker-eu',
    });
    expect(config.telemetryCaptureContent).toBe(true);
    expect(config.metricsPort).toBe(9464);
    expect(config.otel).toEqual({
      endpoint: 'http://collector:4318',
      protocol: 'http/json',
      metricsExporter: 'none',
      metricExportIntervalMs: 5000,
      serviceName: 'opm-worker-eu',
    });
  });

  it('names the variable of an invalid protocol', () => {
    expect(() => load({ OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });
});
