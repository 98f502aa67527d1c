import { type OpmConfig, safeLoadConfig } from '../config/index.js';
import type { TelemetryRuntime } from '../telemetry/index.js';

/** Long-running commands whose processes export telemetry, and the `service.name` each reports. */
const SERVICE_NAMES = { worker: 'opm-worker', serve: 'opm-api' } as const;
const TRACED_COMMANDS: Readonly<Record<string, string>> = SERVICE_NAMES;

/** The value of `--metrics-port N` / `--metrics-port=N`, when it is a port number. */
function metricsPortArgument(argv: readonly string[]): number | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const value =
      arg === '--metrics-port'
        ? argv[index + 1]
        : arg.startsWith('--metrics-port=')
          ? arg.slice(15)
          : undefined;
    if (value === undefined) continue;
    const port = Number(value);
    return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
  }
  return undefined;
}

/**
 * Starts OpenTelemetry for `opm worker` and `opm serve` when spans are exported (OTLP configured),
 * before the command loads the modules it instruments: http, ioredis and pg are patched only if
 * they load after it. The command's own `startTelemetry` call then gets this same runtime, so this
 * starts it with the settings the command would use. Anything wrong with the configuration is left
 * to the command, which reports it.
 */
export async function startEarlyTelemetry(
  command: string,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const serviceName = TRACED_COMMANDS[command];
  if (serviceName === undefined) return;
  let loaded: ReturnType<typeof safeLoadConfig>;
  try {
    loaded = safeLoadConfig({ env });
  } catch {
    return;
  }
  if (!loaded.ok) return;
  const config = loaded.value;
  if (!config.telemetryEnabled && config.otel.endpoint === undefined) return;
  if (command === 'serve') {
    await startServeTelemetry(config);
    return;
  }
  const { startTelemetry } = await import('../telemetry/index.js');
  const metricsPort = metricsPortArgument(argv);
  await startTelemetry(config, { serviceName, ...(metricsPort === undefined ? {} : { metricsPort }) });
}

/**
 * Telemetry as `opm serve` runs it, whether the CLI entry started it early or the command does now.
 * The API serves no Prometheus endpoint: OPM_METRICS_PORT is the workers' (they may share a host).
 */
export async function startServeTelemetry(config: OpmConfig): Promise<TelemetryRuntime> {
  const { startTelemetry } = await import('../telemetry/index.js');
  return startTelemetry({ ...config, metricsPort: undefined }, { serviceName: SERVICE_NAMES.serve });
}
