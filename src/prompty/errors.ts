import { OpmError, type OpmErrorOptions } from '../errors/index.js';

/** Every code the prompty engine raises. Stable: tools and stored runs match on these. */
export const PROMPTY_ERROR_CODES = [
  'prompty.invalid_front_matter',
  'prompty.invalid_field',
  'prompty.unsupported',
  'prompty.env_not_set',
  'prompty.file_not_found',
  'prompty.path_outside_root',
  'prompty.missing_input',
  'prompty.invalid_input',
  'prompty.template_syntax',
  'prompty.template_runtime',
  'prompty.template_forbidden',
  'prompty.role_injection',
  'prompty.invalid_message',
] as const;
export type PromptyErrorCode = (typeof PROMPTY_ERROR_CODES)[number];

export interface PromptyErrorDetails extends Record<string, unknown> {
  /** The .prompty file, when known. */
  file?: string;
  /** 1-based line and column in that file. */
  line?: number;
  column?: number;
  /** The input concerned (missing, mistyped, or the source of an injection). */
  input?: string;
  /** Dotted path of the front-matter field concerned. */
  path?: string;
}

/** An error in a .prompty file or in the values given to it. Never retryable: the same input fails again. */
export class PromptyError extends OpmError<PromptyErrorCode> {
  declare readonly details: PromptyErrorDetails | undefined;

  constructor(
    code: PromptyErrorCode,
    message: string,
    options: Omit<OpmErrorOptions, 'details' | 'retryable'> & { details?: PromptyErrorDetails } = {},
  ) {
    super(code, message, { ...options, retryable: false, status: options.status ?? 422 });
    this.name = 'PromptyError';
  }
}

/** `file:line:col` prefix for messages, as editors and CI annotations understand it. */
export function formatLocation(details: PromptyErrorDetails | undefined): string {
  if (!details?.file) return '';
  if (details.line === undefined) return `${details.file}: `;
  return `${details.file}:${details.line}:${details.column ?? 1}: `;
}
