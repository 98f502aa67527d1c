import type { Prompty } from '../../prompty/index.js';
import type { ResolvedPrompt } from '../../registry/index.js';
import { formatValue, redactSecrets, writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';

type Property = Prompty['inputs'][number];

/** The machine-readable view of a prompt; credentials in the connection are redacted. */
export function describePrompt(resolved: ResolvedPrompt): Record<string, unknown> {
  const { prompt } = resolved;
  return {
    slug: resolved.slug,
    version: resolved.version,
    path: prompt.source.path ?? null,
    generation: prompt.generation,
    name: prompt.name,
    description: prompt.description ?? null,
    metadata: redactSecrets(prompt.metadata),
    model: redactSecrets(prompt.model),
    template: prompt.template,
    inputs: prompt.inputs,
    outputs: prompt.outputs,
    tools: prompt.tools,
    warnings: prompt.warnings,
  };
}

function propertyLine(property: Property): string {
  const flags = [property.kind, property.required ? 'required' : null].filter(Boolean).join(', ');
  const about = property.description ? ` — ${property.description}` : '';
  const fallback =
    property.default !== undefined
      ? `  [default ${formatValue(property.default)}]`
      : property.example !== undefined
        ? `  [example ${formatValue(property.example)}]`
        : '';
  return `    - ${property.name} (${flags})${about}${fallback}`;
}

function humanLines(resolved: ResolvedPrompt): string[] {
  const { prompt } = resolved;
  const model = prompt.model;
  const options = Object.entries(model.options)
    .map(([key, value]) => `${key}=${formatValue(value, 30)}`)
    .join(' ');
  const format = prompt.template.format;
  return [
    `${resolved.slug}  (${prompt.generation} format, version ${resolved.version?.slice(0, 12) ?? '-'})`,
    `  name:        ${prompt.name}`,
    ...(prompt.description ? [`  description: ${prompt.description}`] : []),
    ...(prompt.source.path ? [`  file:        ${prompt.source.path}`] : []),
    `  model:       ${model.id ?? '(none)'}${model.provider ? ` via ${model.provider}` : ''} (${model.apiType})`,
    ...(options ? [`  options:     ${options}`] : []),
    `  template:    ${format.kind} → ${prompt.template.parser.kind}${format.strict === false ? ' (strict off)' : ''}`,
    '  inputs:',
    ...(prompt.inputs.length > 0 ? prompt.inputs.map(propertyLine) : ['    (none)']),
    ...(prompt.outputs.length > 0 ? ['  outputs:', ...prompt.outputs.map(propertyLine)] : []),
    ...(prompt.tools.length > 0
      ? [`  tools:       ${prompt.tools.map((tool) => String(tool.name)).join(', ')}`]
      : []),
    ...(prompt.opm ? [`  opm:         ${formatValue(prompt.opm, 90)}`] : []),
    ...(prompt.warnings.length > 0
      ? ['  warnings:', ...prompt.warnings.map((warning) => `    - ${warning.code}: ${warning.message}`)]
      : []),
  ];
}

/** `opm show <slug> [--json]`: a prompt's metadata, model, inputs, outputs and warnings. */
export const showCommand: CommandRegistrar = (program, context) => {
  program
    .command('show')
    .description('show a prompt: metadata, model, inputs, outputs, load warnings, format generation')
    .argument('<slug>', 'the prompt, e.g. acme/support/triage')
    .option('--json', 'print the prompt description as one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  $ opm show acme/support/triage\n  $ opm show acme/support/reply --json',
    )
    .action(async (slug: string, options: { json?: boolean }) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const resolved = await context.openSource().resolve({ slug });
        if (json) writeJson(context.io, describePrompt(resolved));
        else writeLines(context.io, humanLines(resolved));
      });
    });
};
