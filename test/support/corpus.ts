import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Microsoft's prompty corpus lives in the project's shared folder, beside the repository
 * (`../shared/prompty-corpus`), on every developer machine and in CI. OPM_PROMPTY_CORPUS overrides it.
 */
export const PROMPTY_CORPUS_DIR: string =
  process.env.OPM_PROMPTY_CORPUS ?? fileURLToPath(new URL('../../../shared/prompty-corpus', import.meta.url));

if (!existsSync(PROMPTY_CORPUS_DIR)) {
  throw new Error(
    `The prompty corpus was not found at ${PROMPTY_CORPUS_DIR}. It ships in ../shared/prompty-corpus beside ` +
      'the repository; set OPM_PROMPTY_CORPUS to its folder.',
  );
}
