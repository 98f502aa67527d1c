import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/output.js';
import { type CommandRegistrar, runCli } from '../../../src/cli/program.js';

function bufferIo() {
  const io = {
    out: '',
    err: '',
    stdout: { write: (text: string) => (io.out += text) },
    stderr: { write: (text: string) => (io.err += text) },
  };
  return io;
}

const echoCommand: CommandRegistrar = (program, context) => {
  program
    .command('echo')
    .argument('<word>')
    .option('--json')
    .action(async (word: string, options: { json?: boolean }) => {
      await context.guard({ json: options.json === true }, () => {
        if (word === 'fail') throw new Error('asked to fail');
        context.io.stdout.write(`${word} from ${context.promptsRoot()}\n`);
      });
    });
};

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const io = bufferIo();
  const code = await runCli(argv, { commands: [echoCommand], io, env, cwd: '/work' });
  return { code, ...io };
}

describe('runCli', () => {
  it('runs a registered command', async () => {
    expect(await run(['echo', 'hi'])).toMatchObject({ code: EXIT.ok, out: 'hi from /work/prompts\n' });
  });

  it('takes the prompts folder from --prompts, before or after the command, over OPM_PROMPTS_DIR', async () => {
    const env = { OPM_PROMPTS_DIR: 'from-env' };
    expect((await run(['echo', 'a'], env)).out).toBe('a from /work/from-env\n');
    expect((await run(['--prompts', '/p', 'echo', 'a'], env)).out).toBe('a from /p\n');
    expect((await run(['echo', 'a', '--prompts', '/q'], env)).out).toBe('a from /q\n');
  });

  it('treats an empty OPM_PROMPTS_DIR as unset', async () => {
    expect((await run(['echo', 'a'], { OPM_PROMPTS_DIR: '' })).out).toBe('a from /work/prompts\n');
  });

  it('turns a thrown error into exit 1 with a message on stderr', async () => {
    const result = await run(['echo', 'fail', '--json']);
    expect(result.code).toBe(EXIT.failure);
    expect(result.err).toContain('asked to fail');
    expect(JSON.parse(result.out)).toEqual({
      error: { code: 'internal.unexpected', message: 'asked to fail' },
    });
  });

  it('exits 2 on an unknown option or a missing argument', async () => {
    expect((await run(['echo', 'x', '--nope'])).code).toBe(EXIT.usage);
    expect((await run(['echo'])).code).toBe(EXIT.usage);
  });

  it('exits 0 after printing help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain('echo');
  });
});
