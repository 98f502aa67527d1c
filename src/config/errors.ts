import { OpmError } from '../errors/index.js';

/** One invalid setting: where it is in the config, where the value came from, and what is wrong. */
export interface ConfigIssue {
  /** Dotted path in the configuration, e.g. `worker.concurrency`. */
  path: string;
  /** `env OPM_CONCURRENCY`, `file /app/opm.config.json`, or `default`. */
  source: string;
  message: string;
}

/** Every invalid setting at once (`config.invalid`), or an unreadable config file (`config.file`). */
export class ConfigError extends OpmError<'config.invalid' | 'config.file'> {
  readonly issues: ConfigIssue[];

  constructor(
    code: 'config.invalid' | 'config.file',
    issues: ConfigIssue[],
    options: { cause?: unknown } = {},
  ) {
    const lines = issues.map((issue) => `  - ${issue.path || '(root)'} (${issue.source}): ${issue.message}`);
    const title = code === 'config.file' ? 'Cannot read the configuration file' : 'Invalid configuration';
    super(code, `${title}:\n${lines.join('\n')}`, { ...options, details: { issues } });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
