import { register } from 'node:module';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { OpmConfig } from '../config/index.js';
import { createPrometheusReader, type PrometheusReader } from './prometheus.js';
import { createTelemetry, type OpmTelemetry } from './telemetry.js';

/** The configuration slice telemetry reads. */
export type TelemetrySettings = Pick<
  OpmConfig,
  'telemetryEnabled' | 'telemetryCaptureContent' | 'metricsPort' | 'otel'
>;

/** Options of {@link startTelemetry}. */
export interface StartTelemetryOptions {
  /** `service.name` when `OTEL_SERVICE_NAME` is unset. @default 'opm-worker' */
  serviceName?: string;
  /** Overrides the configured `metricsPort` (`opm worker --metrics-port`). */
  metricsPort?: number;
  /** Where the Prometheus endpoint listens. @default '0.0.0.0' */
  metricsHost?: string;
}

/** Telemetry as started for one process. */
export interface TelemetryRuntime {
  /** What components are given when they are registered (no-op instruments when nothing is on). */
  readonly telemetry: OpmTelemetry;
  /** Whether anything is recorded (OTLP export or a Prometheus endpoint); when false, skip instrumenting. */
  readonly isActive: boolean;
  /** Whether spans and metrics are exported over OTLP. */
  readonly isExporting: boolean;
  /** The Prometheus scrape URL, when the endpoint is served. */
  readonly metricsUrl: string | undefined;
  /** Flushes and stops exporters and the Prometheus endpoint. Safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for this process: off unless configured. With `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (or `OPM_TELEMETRY_ENABLED`), NodeSDK exports traces and metrics over OTLP, configured the
 * OpenTelemetry way (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_EXPORTER_OTLP_PROTOCOL`...),
 * and instruments http, ioredis and pg. With a metrics port, a Prometheus endpoint is served.
 *
 * Process-wide: the first call starts it, later calls get the same runtime (their options are ignored).
 * Call it before anything imports ioredis or pg: their instrumentation hooks module loading, so an
 * entry point starts telemetry first and imports the rest of opm dynamically afterwards.
 * @example
 * const runtime = await startTelemetry(loadConfig());
 * const { composeWorker } = await import('../src/worker/index.js');
 */
export function startTelemetry(
  settings: TelemetrySettings,
  options: StartTelemetryOptions = {},
): Promise<TelemetryRuntime> {
  // OpenTelemetry's providers are process-wide: the first start wins and later calls share it.
  started ??= start(settings, options).catch((error: unknown) => {
    started = undefined;
    throw error;
  });
  return started;
}

let started: Promise<TelemetryRuntime> | undefined;

async function start(settings: TelemetrySettings, options: StartTelemetryOptions): Promise<TelemetryRuntime> {
  const isExporting = settings.telemetryEnabled || settings.otel.endpoint !== undefined;
  const metricsPort = options.metricsPort ?? settings.metricsPort;
  if (!isExporting && metricsPort === undefined) {
    return {
      telemetry: createTelemetry(),
      isActive: false,
      isExporting,
      metricsUrl: undefined,
      shutdown: async () => {},
    };
  }
  // Loaded here, not at import: the SDK and instrumentations cost ~0.5 s of start-up that
  // processes without telemetry (the CLI, the SDK in an app) should not pay.
  const [{ NodeSDK }, { PeriodicExportingMetricReader }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-metrics'),
  ]);
  const readers: MetricReader[] = [];
  let prometheus: PrometheusReader | undefined;
  if (metricsPort !== undefined) {
    prometheus = await createPrometheusReader({ port: metricsPort, host: options.metricsHost ?? '0.0.0.0' });
    readers.push(prometheus.reader);
  }
  if (isExporting && settings.otel.metricsExporter !== 'none') {
    const exporter =
      settings.otel.protocol === 'http/json'
        ? new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter()
        : new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter();
    const interval = settings.otel.metricExportIntervalMs;
    readers.push(
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(interval, 30_000),
      }),
    );
  }
  const waitForHooks = isExporting ? await registerModuleHooks() : async () => {};
  const instrumentations = isExporting ? await loadInstrumentations() : [];
  const sdk = new NodeSDK({
    ...(settings.otel.serviceName === undefined ? { serviceName: options.serviceName ?? 'opm-worker' } : {}),
    metricReaders: readers,
    // Without OTLP export there is nowhere to send spans: an empty list keeps tracing off.
    ...(isExporting ? {} : { spanProcessors: [] }),
    instrumentations,
  });
  sdk.start();
  await waitForHooks();
  const telemetry = createTelemetry({ captureContent: settings.telemetryCaptureContent });
  let stopping: Promise<void> | undefined;
  return {
    telemetry,
    isActive: true,
    isExporting,
    metricsUrl: prometheus?.url,
    shutdown() {
      stopping ??= sdk.shutdown().catch(() => undefined);
      return stopping;
    },
  };
}

/**
 * Registers import-in-the-middle's ESM loader hook, limited to the modules instrumentations ask
 * for, so packages imported from ESM (ioredis, pg) are patched when they load.
 */
async function registerModuleHooks(): Promise<() => Promise<void>> {
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  return waitForAllMessagesAcknowledged;
}

async function loadInstrumentations() {
  const [{ HttpInstrumentation }, { IORedisInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => request.url?.startsWith('/metrics') ?? false,
    }),
    // Command names only: script arguments carry job payloads and results (prompt content).
    new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
    // Pool housekeeping outside any job would otherwise start a trace of its own.
    new PgInstrumentation({ requireParentSpan: true }),
  ];
}
