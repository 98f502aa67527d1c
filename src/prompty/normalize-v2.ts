import type { Model, Template } from './model.js';
import { normalizeV2Options } from './normalize-model.js';
import {
  collectUnknown,
  compact,
  invalidField,
  isRecord,
  type NormalizeContext,
  type NormalizedFrontMatter,
  normalizeProperties,
  opmBlock,
  type PropertyDialect,
  parseWithSchema,
} from './normalize-shared.js';
import { type V2FrontMatter, V2FrontMatterSchema } from './schema.js';

const TOP_LEVEL = new Set([
  '$schema',
  'kind',
  'name',
  'displayName',
  'description',
  'metadata',
  'model',
  'inputs',
  'outputs',
  'tools',
  'template',
  'instructions',
]);
const MODEL_KEYS = new Set(['id', 'provider', 'apiType', 'connection', 'options']);
const TEMPLATE_KEYS = new Set(['format', 'parser']);

export const V2_PROPERTY_DIALECT: PropertyDialect = {
  rename: {},
  known: new Set([
    'name',
    'kind',
    'description',
    'required',
    'nullable',
    'default',
    'example',
    'enumValues',
    'strict',
    'items',
    'properties',
    'oneOf',
    'anyOf',
  ]),
  warnMissingKind: true,
};

/** Normalises a v2 front matter (the current format, `spec/spec.md` §2), which maps nearly 1:1. */
export function normalizeV2(data: Record<string, unknown>, context: NormalizeContext): NormalizedFrontMatter {
  const front = parseWithSchema(V2FrontMatterSchema, data, context);
  const extra = collectUnknown(context, front, TOP_LEVEL, []);
  const metadata = front.metadata ?? {};
  const opm = opmBlock(metadata, context);
  return {
    kind: 'prompt',
    name: front.name ?? '',
    ...compact({
      displayName: front.displayName,
      description: front.description,
      instructions: front.instructions,
    }),
    metadata,
    model: normalizeModel(front.model, context),
    inputs: normalizeProperties(front.inputs, V2_PROPERTY_DIALECT, context, ['inputs']),
    outputs: normalizeProperties(front.outputs, V2_PROPERTY_DIALECT, context, ['outputs']),
    tools: normalizeTools(front.tools, context),
    template: normalizeTemplate(front.template, context),
    ...(opm === undefined ? {} : { opm }),
    extra,
  };
}

function normalizeModel(model: V2FrontMatter['model'], context: NormalizeContext): Model {
  if (model === null || model === undefined) return { apiType: 'chat', options: {} };
  if (typeof model === 'string') return { id: model, apiType: 'chat', options: {} };
  collectUnknown(context, model, MODEL_KEYS, ['model']);
  return {
    ...compact({ id: model.id, provider: model.provider, connection: model.connection }),
    apiType: model.apiType ?? 'chat',
    options: normalizeV2Options(model.options, context, ['model', 'options']),
  };
}

function normalizeTemplate(template: V2FrontMatter['template'], context: NormalizeContext): Template {
  if (template === null || template === undefined)
    return { format: { kind: 'jinja2' }, parser: { kind: 'prompty' } };
  if (typeof template === 'string') {
    throw invalidField(
      context,
      ['template'],
      `Invalid template format: write 'template: {format: {kind: ${template}}, parser: {kind: prompty}}'`,
    );
  }
  collectUnknown(context, template, TEMPLATE_KEYS, ['template']);
  const format = template.format ?? 'jinja2';
  const parser = template.parser ?? 'prompty';
  return {
    format: typeof format === 'string' ? { kind: format } : { ...compact(format), kind: format.kind },
    parser: typeof parser === 'string' ? { kind: parser } : { ...compact(parser), kind: parser.kind },
  };
}

/** Tools stay as written (function, mcp, openapi or custom kinds); function parameters become a list. */
function normalizeTools(tools: V2FrontMatter['tools'], context: NormalizeContext): Record<string, unknown>[] {
  if (tools === null || tools === undefined) return [];
  const list = Array.isArray(tools)
    ? tools.map((tool, index) => ({ tool, path: ['tools', index] as (string | number)[] }))
    : Object.entries(tools).map(([name, tool]) => ({
        tool: isRecord(tool) ? { name, ...tool } : tool,
        path: ['tools', name] as (string | number)[],
      }));
  return list.map(({ tool, path }) => {
    if (!isRecord(tool) || typeof tool.name !== 'string' || typeof tool.kind !== 'string') {
      throw invalidField(context, path, `Each tool needs a string 'name' and 'kind'`);
    }
    if (tool.kind === 'function' && tool.parameters !== undefined && !Array.isArray(tool.parameters)) {
      if (!isRecord(tool.parameters))
        throw invalidField(context, [...path, 'parameters'], 'Invalid tool parameters');
      return {
        ...tool,
        parameters: normalizeProperties(tool.parameters, V2_PROPERTY_DIALECT, context, [
          ...path,
          'parameters',
        ]),
      };
    }
    return tool;
  });
}
