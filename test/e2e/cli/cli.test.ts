import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpm } from '../../support/cli.js';
import { createTempPrompts, simplePrompt, type TempPrompts } from '../../support/temp-prompts.js';

const TRIAGE = `---
name: triage
description: Classifies a ticket
model:
  id: openai/gpt-4o-mini
  provider: openrouter
  connection:
    kind: key
    apiKey: sk-should-never-be-printed
inputs:
  - name: ticket
    kind: string
    required: true
    example: My invoice is wrong
  - name: tier
    kind: string
    default: standard
outputs:
  - name: category
    kind: string
---
system:
Triage for {{tier}} customers.

user:
{{ticket}}
`;

const CHAT = `---
name: chat
model:
  id: openai/gpt-4o-mini
inputs:
  - name: history
    kind: thread
  - name: limit
    kind: integer
    default: 3
---
system:
Answer in at most {{limit}} sentences.

{{history}}
`;

const BROKEN_YAML = `---
name: broken
model: [unclosed
---
Hi
`;

const UNDECLARED = `---
name: undeclared
model:
  id: openai/gpt-4o-mini
inputs:
  - name: used
    kind: string
  - name: forgotten
    kind: string
---
system:
{{used}} and {{typo}}
`;

const FORBIDDEN = `---
name: forbidden
model:
  id: openai/gpt-4o-mini
---
system:
{{ range.constructor("return process")() }}
`;

let temp: TempPrompts;
let broken: TempPrompts;

beforeAll(() => {
  temp = createTempPrompts({
    'acme/support/triage.prompty': TRIAGE,
    'acme/support/chat.prompty': CHAT,
    'research/hello.prompty': simplePrompt(),
    'vars.json': JSON.stringify({ ticket: 'From a file', tier: 'gold' }),
  });
  broken = createTempPrompts({
    'ok/fine.prompty': simplePrompt(),
    'bad/yaml.prompty': BROKEN_YAML,
    'bad/undeclared.prompty': UNDECLARED,
    'bad/forbidden.prompty': FORBIDDEN,
  });
});

afterAll(() => {
  temp.remove();
  broken.remove();
});

const inTemp = { env: { OPM_PROMPTS_DIR: undefined } };
const opm = (...args: string[]) => runOpm(['--prompts', temp.root, ...args], inTemp);

describe('opm (global)', () => {
  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    const result = await runOpm(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('prints help with examples', async () => {
    const result = await runOpm(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
    for (const command of ['list', 'show', 'render', 'validate']) expect(result.stdout).toContain(command);
  });

  it('exits 2 on an unknown command', async () => {
    const result = await runOpm(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command');
  });

  it('reads the prompts folder from OPM_PROMPTS_DIR', async () => {
    const result = await runOpm(['list', '--json'], { env: { OPM_PROMPTS_DIR: temp.root } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).prompts).toHaveLength(3);
  });

  it('fails clearly when the prompts folder does not exist', async () => {
    const result = await runOpm(['--prompts', path.join(temp.root, 'nope'), 'list', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('registry.root_not_found');
  });
});

describe('opm list', () => {
  it('prints a table of slugs and models', async () => {
    const result = await opm('list');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/acme\/support\/triage\s+openai\/gpt-4o-mini\s+Classifies a ticket/);
  });

  it('prints {"prompts":[...]} with --json', async () => {
    const result = await opm('list', '--json');
    const { prompts } = JSON.parse(result.stdout) as { prompts: { slug: string }[] };
    expect(prompts.map((prompt) => prompt.slug)).toEqual([
      'acme/support/chat',
      'acme/support/triage',
      'research/hello',
    ]);
  });
});

describe('opm show', () => {
  it('shows the model, inputs and outputs', async () => {
    const result = await opm('show', 'acme/support/triage');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('openai/gpt-4o-mini via openrouter');
    expect(result.stdout).toMatch(/ticket \(string, required\)/);
    expect(result.stdout).toContain('category');
  });

  it('prints one JSON object with --json and redacts credentials', async () => {
    const result = await opm('show', 'acme/support/triage', '--json');
    const shown = JSON.parse(result.stdout);
    expect(shown).toMatchObject({ slug: 'acme/support/triage', generation: 'v2', name: 'triage' });
    expect(shown.inputs.map((input: { name: string }) => input.name)).toEqual(['ticket', 'tier']);
    expect(result.stdout).not.toContain('sk-should-never-be-printed');
  });

  it('suggests the nearest slug for an unknown one and exits 1', async () => {
    const result = await opm('show', 'acme/support/triag');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Did you mean acme/support/triage?');
    expect(result.stderr).not.toContain('acme/support/chat');
    expect(result.stdout).toBe('');
  });

  it('refuses a traversal slug', async () => {
    const result = await opm('show', '../../etc/passwd', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('registry.invalid_slug');
  });
});

describe('opm render', () => {
  it('prints exactly one {"messages":[...]} object with --json', async () => {
    const result = await opm('render', 'acme/support/triage', '--var', 'ticket=Charged twice', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      messages: [
        { role: 'system', content: 'Triage for standard customers.' },
        { role: 'user', content: 'Charged twice' },
      ],
    });
  });

  it('prints the messages readably without --json', async () => {
    const result = await opm('render', 'acme/support/triage', '--var', 'ticket=Charged twice');
    expect(result.stdout).toContain('── system ──\nTriage for standard customers.');
    expect(result.stdout).toContain('── user ──\nCharged twice');
  });

  it('fails with a missing required input: message on stderr, error object on stdout', async () => {
    const result = await opm('render', 'acme/support/triage', '--json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ticket');
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe('prompty.missing_input');
    expect(Object.keys(error)).toEqual(['code', 'message']);
  });

  it('fills inputs from their examples with --sample', async () => {
    const result = await opm('render', 'acme/support/triage', '--sample', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).messages[1].content).toBe('My invoice is wrong');
  });

  it('reads values from --vars-file and lets --var override them', async () => {
    const varsFile = path.join(temp.root, 'vars.json');
    const result = await opm(
      'render',
      'acme/support/triage',
      '--vars-file',
      varsFile,
      '--var',
      'tier=platinum',
      '--json',
    );
    expect(JSON.parse(result.stdout).messages).toEqual([
      { role: 'system', content: 'Triage for platinum customers.' },
      { role: 'user', content: 'From a file' },
    ]);
  });

  it('takes JSON values with name:=json, such as a chat thread', async () => {
    const history = JSON.stringify([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ]);
    const result = await opm(
      'render',
      'acme/support/chat',
      `--var`,
      `history:=${history}`,
      '--var',
      'limit:=2',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).messages).toEqual([
      { role: 'system', content: 'Answer in at most 2 sentences.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ]);
  });

  it('renders a .prompty file by path', async () => {
    const file = path.join(temp.root, 'research/hello.prompty');
    const result = await opm('render', file, '--var', 'person=Grace', '--json');
    expect(JSON.parse(result.stdout).messages.at(-1)).toEqual({
      role: 'user',
      content: 'Hello, I am Grace.',
    });
  });

  it('renders with a stand-in and a warning when a referenced env variable is unset', async () => {
    const withEnv = createTempPrompts({
      'needs-key.prompty': simplePrompt().replace(
        'provider: openrouter',
        [
          'provider: openrouter',
          '  connection:',
          '    kind: key',
          `    apiKey: $\{env:OPM_E2E_UNSET_KEY}`,
        ].join('\n'),
      ),
    });
    try {
      const result = await runOpm(['--prompts', withEnv.root, 'render', 'needs-key', '--sample', '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).messages.at(-1).content).toBe('Hello, I am Ada.');
      expect(result.stderr).toContain('OPM_E2E_UNSET_KEY} is not set');
    } finally {
      withEnv.remove();
    }
  });

  it('rejects a malformed --var with a usage message', async () => {
    const result = await opm('render', 'acme/support/triage', '--var', 'oops', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('cli.invalid_var');
  });
});

describe('opm validate', () => {
  it('exits 0 and reports no errors for valid prompts', async () => {
    const result = await opm('validate');
    expect(result.stdout).toContain('3 files checked: 0 errors');
    expect(result.code).toBe(0);
  });

  it('reports each problem as file:line:col and exits 1', async () => {
    const result = await runOpm(['--prompts', broken.root, 'validate'], { cwd: broken.root });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^bad\/yaml\.prompty:3:\d+: error prompty\.invalid_front_matter /m);
    expect(result.stdout).toMatch(
      /^bad\/undeclared\.prompty:12:16: error validate\.undeclared_variable .*typo/m,
    );
    expect(result.stdout).toMatch(
      /^bad\/undeclared\.prompty:8:11: warning validate\.unused_input .*forgotten/m,
    );
    expect(result.stdout).toMatch(/^bad\/forbidden\.prompty:7:\d+: error prompty\.template_forbidden /m);
    expect(result.stdout).toContain('4 files checked: 3 errors, 1 warning.');
    expect(result.stdout).not.toContain('ok/fine.prompty');
  });

  it('checks only the paths given', async () => {
    const result = await runOpm(['--prompts', broken.root, 'validate', 'ok'], { cwd: broken.root });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 file checked');
  });

  it('prints the report as JSON with --json', async () => {
    const result = await runOpm(['--prompts', broken.root, 'validate', '--json'], { cwd: broken.root });
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ files: 4, errors: 3, warnings: 1 });
    expect(report.diagnostics).toContainEqual({
      file: path.join(broken.root, 'bad/undeclared.prompty'),
      line: 12,
      column: 16,
      severity: 'error',
      code: 'validate.undeclared_variable',
      message: 'The template uses "typo", which is not a declared input.',
    });
  });

  it('passes on the example prompts shipped in prompts/', async () => {
    const result = await runOpm(['validate']);
    expect(result.stdout).toMatch(/checked: 0 errors, 0 warnings/);
    expect(result.code).toBe(0);
  });
});
