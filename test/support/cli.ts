import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const builtEntry = path.join(repoRoot, 'dist/src/cli/main.js');
const sourceEntry = path.join(repoRoot, 'src/cli/main.ts');
// An absolute loader URL, because `--import tsx` would be resolved from the child's (temp) cwd.
const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

function newestMtimeMs(folder: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * How to start the CLI: the built `dist/src/cli/main.js` when it is newer than every source
 * file (as after `npm test`, which builds first), else the TypeScript entry through tsx.
 */
export function cliCommand(): string[] {
  const isBuiltFresh =
    fs.existsSync(builtEntry) && fs.statSync(builtEntry).mtimeMs >= newestMtimeMs(path.join(repoRoot, 'src'));
  return isBuiltFresh ? [builtEntry] : ['--import', tsxLoader, sourceEntry];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `opm <args>` in a child process and collects its output. */
export function runOpm(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NO_COLOR: '1',
      OPM_PROMPTS_DIR: undefined,
    };
    const child = spawn(process.execPath, [...cliCommand(), ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
