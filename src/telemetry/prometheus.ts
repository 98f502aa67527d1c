import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { TelemetryError } from './errors.js';

/** Options of {@link createPrometheusReader}. */
export interface PrometheusReaderOptions {
  port: number;
  /** @default '0.0.0.0' */
  host?: string;
  /** @default '/metrics' */
  endpoint?: string;
}

/** A metric reader that serves the Prometheus text format, and where to scrape it. */
export interface PrometheusReader {
  reader: MetricReader;
  url: string;
}

/**
 * Serves the process's metrics for Prometheus to scrape (`opm worker --metrics-port`). The port is
 * bound before this resolves, so a port already in use fails at start-up as `telemetry.metrics_port`.
 */
export async function createPrometheusReader(options: PrometheusReaderOptions): Promise<PrometheusReader> {
  const host = options.host ?? '0.0.0.0';
  const endpoint = options.endpoint ?? '/metrics';
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const exporter = new PrometheusExporter({ port: options.port, host, endpoint, preventServerStart: true });
  try {
    await exporter.startServer();
  } catch (error) {
    throw new TelemetryError(
      'telemetry.metrics_port',
      `cannot serve metrics on ${host}:${options.port}: ${(error as Error).message}`,
      { cause: error, details: { port: options.port, host } },
    );
  }
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return { reader: exporter, url: `http://${shownHost}:${options.port}${endpoint}` };
}
