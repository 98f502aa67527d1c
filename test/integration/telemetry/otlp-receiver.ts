import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it, flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  service: string | undefined;
}

/** One metric data point, flattened: a sum's or gauge's value, or a histogram's count and sum. */
export interface ReceivedPoint {
  name: string;
  unit: string;
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
  bounds?: number[];
}

/** A real OTLP/HTTP receiver (JSON encoding) on 127.0.0.1, keeping what exporters send it. */
export interface OtlpReceiver {
  /** The base URL for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  url: string;
  spans: ReceivedSpan[];
  points: ReceivedPoint[];
  /** Paths of every request received. */
  paths: string[];
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

function anyValueOf(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValueOf);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValueOf(kv.value)]));
}

interface TracesBody {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: KeyValue[];
      }[];
    }[];
  }[];
}

type NumberPoint = { attributes?: KeyValue[]; asInt?: number | string; asDouble?: number };
type HistogramPoint = {
  attributes?: KeyValue[];
  count: number | string;
  sum?: number;
  explicitBounds?: number[];
};
interface MetricsBody {
  resourceMetrics?: {
    scopeMetrics?: {
      metrics?: {
        name: string;
        unit?: string;
        sum?: { dataPoints?: NumberPoint[] };
        gauge?: { dataPoints?: NumberPoint[] };
        histogram?: { dataPoints?: HistogramPoint[] };
      }[];
    }[];
  }[];
}

/** Starts the receiver on an OS-assigned port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      paths.push(path);
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TracesBody & MetricsBody;
        if (path.endsWith('/v1/traces')) collectSpans(body, spans);
        if (path.endsWith('/v1/metrics')) collectPoints(body, points);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    points,
    paths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function collectSpans(body: TracesBody, into: ReceivedSpan[]): void {
  for (const resource of body.resourceSpans ?? []) {
    const service = attributesOf(resource.resource?.attributes)['service.name'];
    for (const scope of resource.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        into.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          name: span.name,
          kind: span.kind,
          attributes: attributesOf(span.attributes),
          service: typeof service === 'string' ? service : undefined,
        });
      }
    }
  }
}

function collectPoints(body: MetricsBody, into: ReceivedPoint[]): void {
  for (const resource of body.resourceMetrics ?? []) {
    for (const scope of resource.scopeMetrics ?? []) {
      for (const metric of scope.metrics ?? []) {
        const base = { name: metric.name, unit: metric.unit ?? '' };
        for (const point of [...(metric.sum?.dataPoints ?? []), ...(metric.gauge?.dataPoints ?? [])]) {
          const value = point.asDouble ?? Number(point.asInt ?? Number.NaN);
          into.push({ ...base, attributes: attributesOf(point.attributes), value });
        }
        for (const point of metric.histogram?.dataPoints ?? []) {
          into.push({
            ...base,
            attributes: attributesOf(point.attributes),
            count: Number(point.count),
            ...(point.sum === undefined ? {} : { sum: point.sum }),
            ...(point.explicitBounds === undefined ? {} : { bounds: point.explicitBounds }),
          });
        }
      }
    }
  }
}
