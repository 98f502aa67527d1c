import { OpmError, type OpmErrorOptions } from '../errors/index.js';

/** Every code telemetry raises. */
export const TELEMETRY_ERROR_CODES = ['telemetry.metrics_port', 'telemetry.invalid_options'] as const;
export type TelemetryErrorCode = (typeof TELEMETRY_ERROR_CODES)[number];

/** Telemetry could not start (the metrics port is taken) or was given bad options. Never retryable. */
export class TelemetryError extends OpmError<TelemetryErrorCode> {
  constructor(code: TelemetryErrorCode, message: string, options: Omit<OpmErrorOptions, 'retryable'> = {}) {
    super(code, message, { ...options, retryable: false });
    this.name = 'TelemetryError';
  }
}
