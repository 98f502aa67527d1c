import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createTelemetry, type OpmTelemetry } from '../../../src/telemetry/index.js';

/** Telemetry over in-memory exporters: the finished spans and the collected metrics, for assertions. */
export interface MemoryTelemetry {
  telemetry: OpmTelemetry;
  spans: InMemorySpanExporter;
  /** Collects every metric now and returns the points of one metric, by name. */
  points(name: string): Promise<MetricPoint[]>;
  shutdown(): Promise<void>;
}

export interface MetricPoint {
  attributes: Record<string, unknown>;
  /** A counter's sum or a gauge's value; a histogram's sum. */
  value: number;
  /** Histograms only. */
  count?: number;
  boundaries?: number[];
  unit: string;
  kind: string;
}

/** Providers local to one test (the global ones stay untouched, so tests do not interfere). */
export function createMemoryTelemetry(options: { captureContent?: boolean } = {}): MemoryTelemetry {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const telemetry = createTelemetry({
    tracerProvider,
    meterProvider,
    ...(options.captureContent === undefined ? {} : { captureContent: options.captureContent }),
  });
  return {
    telemetry,
    spans,
    async points(name) {
      const { resourceMetrics } = await reader.collect();
      return pointsOf(resourceMetrics, name);
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

function pointsOf(resourceMetrics: ResourceMetrics, name: string): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        const value = point.value as
          | number
          | { sum?: number; count: number; buckets: { boundaries: number[] } };
        out.push(
          typeof value === 'number'
            ? {
                attributes: point.attributes,
                value,
                unit: metric.descriptor.unit,
                kind: String(metric.dataPointType),
              }
            : {
                attributes: point.attributes,
                value: value.sum ?? 0,
                count: value.count,
                boundaries: value.buckets.boundaries,
                unit: metric.descriptor.unit,
                kind: String(metric.dataPointType),
              },
        );
      }
    }
  }
  return out;
}
