import { OpmError, type OpmErrorOptions } from '../errors/index.js';

/** Every code the registry raises. Stable: the CLI, the API and stored runs match on these. */
export const REGISTRY_ERROR_CODES = [
  'registry.invalid_slug',
  'registry.slug_not_found',
  'registry.label_not_supported',
  'registry.version_not_found',
  'registry.path_outside_root',
  'registry.root_not_found',
] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export interface RegistryErrorDetails extends Record<string, unknown> {
  slug?: string;
  /** Existing slugs closest to an unknown one, best first. */
  suggestions?: string[];
  label?: string;
  version?: string;
  path?: string;
  root?: string;
}

const STATUS_BY_CODE: Record<RegistryErrorCode, number> = {
  'registry.invalid_slug': 400,
  'registry.slug_not_found': 404,
  'registry.label_not_supported': 400,
  'registry.version_not_found': 404,
  'registry.path_outside_root': 400,
  'registry.root_not_found': 500,
};

/** A prompt could not be addressed: a bad slug, an unknown one, or a label/version the source lacks. */
export class RegistryError extends OpmError<RegistryErrorCode> {
  declare readonly details: RegistryErrorDetails | undefined;

  constructor(
    code: RegistryErrorCode,
    message: string,
    options: Omit<OpmErrorOptions, 'details' | 'retryable'> & { details?: RegistryErrorDetails } = {},
  ) {
    super(code, message, { ...options, retryable: false, status: options.status ?? STATUS_BY_CODE[code] });
    this.name = 'RegistryError';
  }
}
