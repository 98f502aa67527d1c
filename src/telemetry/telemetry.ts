import {
  type Meter,
  type MeterProvider,
  metrics as metricsApi,
  type Tracer,
  type TracerProvider,
  trace as traceApi,
} from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE, SEMCONV_SCHEMA_URL } from './attributes.js';
import { createOpmMetrics, type OpmMetrics } from './metrics.js';

/** What an instrumented component receives: a tracer, the instruments and the content policy. */
export interface OpmTelemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly metrics: OpmMetrics;
  /** Whether prompt and completion content go on LLM spans (`gen_ai.input/output.messages`). */
  readonly captureContent: boolean;
}

/** Options of {@link createTelemetry}. */
export interface TelemetryOptions {
  /** @default the global provider (a no-op one until an SDK is started) */
  tracerProvider?: TracerProvider;
  /** @default the global provider (a no-op one until an SDK is started) */
  meterProvider?: MeterProvider;
  /**
   * Record prompt and completion content on LLM spans. Off by default: content may hold personal
   * data, and the conventions make it opt-in (`OPM_TELEMETRY_CAPTURE_CONTENT`).
   * @default false
   */
  captureContent?: boolean;
  /** @default the opm package version */
  version?: string;
}

/**
 * Creates the telemetry handle components are given when they are registered. Instruments are
 * created here, once. Without an SDK (or providers) everything is a cheap no-op.
 * @example
 * const telemetry = createTelemetry({ captureContent: config.telemetryCaptureContent });
 * const gateway = createGateway({ ...options, telemetry });
 */
export function createTelemetry(options: TelemetryOptions = {}): OpmTelemetry {
  const tracerProvider = options.tracerProvider ?? traceApi.getTracerProvider();
  const meterProvider = options.meterProvider ?? metricsApi.getMeterProvider();
  const scope = { schemaUrl: SEMCONV_SCHEMA_URL };
  const tracer = tracerProvider.getTracer(INSTRUMENTATION_SCOPE, options.version, scope);
  const meter = meterProvider.getMeter(INSTRUMENTATION_SCOPE, options.version, scope);
  return { tracer, meter, metrics: createOpmMetrics(meter), captureContent: options.captureContent ?? false };
}
