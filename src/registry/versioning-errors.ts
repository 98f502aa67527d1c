import { OpmError, type OpmErrorOptions } from '../errors/index.js';

/** Codes raised by publishing, labels, deploys and rollbacks. Stable: scripts match on them. */
export const VERSIONING_ERROR_CODES = [
  'registry.git_unavailable',
  'registry.dirty_tree',
  'registry.label_not_found',
  'registry.invalid_label',
  'registry.invalid_deploy',
  'registry.nothing_to_roll_back',
  'registry.ambiguous_version',
] as const;
export type VersioningErrorCode = (typeof VERSIONING_ERROR_CODES)[number];

const STATUS_BY_CODE: Record<VersioningErrorCode, number> = {
  'registry.git_unavailable': 400,
  'registry.dirty_tree': 409,
  'registry.label_not_found': 404,
  'registry.invalid_label': 400,
  'registry.invalid_deploy': 400,
  'registry.nothing_to_roll_back': 409,
  'registry.ambiguous_version': 400,
};

/** A publish, deploy or rollback that cannot be done as asked. Never retryable. */
export class VersioningError extends OpmError<VersioningErrorCode> {
  constructor(
    code: VersioningErrorCode,
    message: string,
    options: Omit<OpmErrorOptions, 'retryable' | 'status'> = {},
  ) {
    super(code, message, { ...options, retryable: false, status: STATUS_BY_CODE[code] });
    this.name = 'VersioningError';
  }
}
