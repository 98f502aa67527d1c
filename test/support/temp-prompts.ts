import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A throw-away prompts folder for one test. */
export interface TempPrompts {
  /** The folder's real absolute path (symlink-free, so it compares equal to what the registry reports). */
  root: string;
  /** Writes `text` at `relativePath` under the root, creating folders; returns the absolute path. */
  write(relativePath: string, text: string): string;
  /** Deletes the folder. */
  remove(): void;
}

/** Creates a temp folder holding `files` (relative path → text). */
export function createTempPrompts(files: Record<string, string> = {}): TempPrompts {
  const root = fs.realpathSync.native(fs.mkdtempSync(path.join(os.tmpdir(), 'opm-prompts-')));
  const write = (relativePath: string, text: string) => {
    const file = path.join(root, relativePath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  for (const [relativePath, text] of Object.entries(files)) write(relativePath, text);
  return { root, write, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** A minimal valid v2 prompt with one string input `name` that the template uses. */
export function simplePrompt(
  options: { name?: string; greeting?: string; description?: string } = {},
): string {
  return [
    '---',
    `name: ${options.name ?? 'hello'}`,
    `description: ${options.description ?? 'Says hello'}`,
    'model:',
    '  id: openai/gpt-4o-mini',
    '  provider: openrouter',
    'inputs:',
    '  - name: person',
    '    kind: string',
    '    example: Ada',
    '---',
    'system:',
    `${options.greeting ?? 'Greet the person warmly.'}`,
    '',
    'user:',
    'Hello, I am {{person}}.',
    '',
  ].join('\n');
}
