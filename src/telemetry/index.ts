/** @module telemetry — OpenTelemetry traces and metrics (GenAI semconv v1.41.0), the Prometheus endpoint, BullMQ propagation. */
export {
  DURATION_BUCKETS,
  GEN_AI,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_SEMCONV_VERSION,
  GENERAL,
  genAiProviderName,
  INSTRUMENTATION_SCOPE,
  METRIC,
  OPM,
  SEMCONV_SCHEMA_URL,
  SPAN,
  TOKEN_USAGE_BUCKETS,
} from './attributes.js';
export { createBullmqTelemetry } from './bullmq.js';
export { TELEMETRY_ERROR_CODES, TelemetryError, type TelemetryErrorCode } from './errors.js';
export { inputMessagesJson, type LlmCall, type LlmReply, traceLlmCall } from './gen-ai.js';
export {
  endingOfError,
  endingOfResult,
  type InstrumentProcessorOptions,
  instrumentProcessor,
  type JobEnding,
  type TracedJob,
} from './job.js';
export { createOpmMetrics, type OpmMetrics } from './metrics.js';
export { createPrometheusReader, type PrometheusReader, type PrometheusReaderOptions } from './prometheus.js';
export { contextFromTraceparent, currentTraceparent } from './propagation.js';
export { type JobCountsReader, observeQueueDepth } from './queue-depth.js';
export {
  type StartTelemetryOptions,
  startTelemetry,
  type TelemetryRuntime,
  type TelemetrySettings,
} from './sdk.js';
export { traceNotify, traceRenderer, traceRunStore } from './steps.js';
export { createTelemetry, type OpmTelemetry, type TelemetryOptions } from './telemetry.js';
export { errorTypeOf, markError, type WithSpanOptions, withSpan } from './with-span.js';
