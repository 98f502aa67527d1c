import { OpmError, type OpmErrorOptions } from '../errors/index.js';

/** Every code the HTTP layer itself raises. */
export const API_ERROR_CODES = [
  'api.unauthorized',
  'api.forbidden',
  'api.rate_limited',
  'api.body_too_large',
  'api.malformed_json',
  'api.invalid_request',
  'api.not_found',
  'api.invalid_options',
  'api.no_keys',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

const STATUS_BY_CODE: Record<ApiErrorCode, number> = {
  'api.unauthorized': 401,
  'api.forbidden': 403,
  'api.rate_limited': 429,
  'api.body_too_large': 413,
  'api.malformed_json': 400,
  'api.invalid_request': 400,
  'api.not_found': 404,
  'api.invalid_options': 500,
  'api.no_keys': 500,
};

/** A request the API refuses before any domain code runs: no key, wrong role, bad body... */
export class ApiError extends OpmError<ApiErrorCode> {
  constructor(code: ApiErrorCode, message: string, options: Omit<OpmErrorOptions, 'status'> = {}) {
    super(code, message, { ...options, status: STATUS_BY_CODE[code] });
    this.name = 'ApiError';
  }
}
