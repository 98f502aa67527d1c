import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const read = (path: string) => parse(readFileSync(join(root, path), 'utf8'));

interface Service {
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}

describe('the docker compose observability stack', () => {
  const compose = read('docker-compose.yml') as { services: Record<string, Service> };
  const { worker, grafana } = compose.services as Record<string, Service>;

  it('runs a collector, Jaeger, Prometheus and Grafana beside the workers', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['worker', 'otel-collector', 'jaeger', 'prometheus', 'grafana']),
    );
  });

  it('sends worker traces to the collector, which forwards them to Jaeger', () => {
    expect(worker?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    const collector = read('workers/observability/otel-collector.yaml');
    expect(collector.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(collector.exporters['otlp/jaeger'].endpoint).toBe('jaeger:4317');
    expect(collector.service.pipelines.traces.exporters).toContain('otlp/jaeger');
  });

  it('has Prometheus scrape every worker replica on the port the workers serve', () => {
    const prometheus = read('workers/observability/prometheus.yml');
    const [job] = prometheus.scrape_configs;
    expect(job.dns_sd_configs[0]).toMatchObject({
      names: ['worker'],
      port: Number(worker?.environment?.OPM_METRICS_PORT),
    });
  });

  it('provisions Grafana with both data sources and a dashboard file that exists', () => {
    const sources = read('workers/observability/grafana/provisioning/datasources/datasources.yaml');
    expect(sources.datasources.map((s: { uid: string; url: string }) => [s.uid, s.url])).toEqual([
      ['prometheus', 'http://prometheus:9090'],
      ['jaeger', 'http://jaeger:16686'],
    ]);
    const mounts = grafana?.volumes ?? [];
    const dashboards = mounts.find((m) => m.includes(':/var/lib/grafana/dashboards'));
    const folder = (dashboards ?? '').split(':')[0] ?? '';
    expect(existsSync(join(root, folder, 'opm.json'))).toBe(true);
    const dashboard = JSON.parse(readFileSync(join(root, folder, 'opm.json'), 'utf8'));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe('prometheus');
  });
});
