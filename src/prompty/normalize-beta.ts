import type { Model, Template } from './model.js';
import {
  legacyConnection,
  legacyModelId,
  normalizeLegacyOptions,
  providerFromType,
} from './normalize-model.js';
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
import { type BetaFrontMatter, BetaFrontMatterSchema } from './schema.js';

const TOP_LEVEL = new Set([
  '$schema',
  'id',
  'version',
  'name',
  'description',
  'base',
  'metadata',
  'model',
  'inputs',
  'outputs',
  'tools',
  'template',
]);
const MODEL_KEYS = new Set(['id', 'api', 'connection', 'options']);
const TEMPLATE_KEYS = new Set(['format', 'template', 'parser', 'strict', 'options']);

/** 1.0-beta property fields; per-input `sample` is tooling data, which v2 calls `example`. */
const BETA_DIALECT: PropertyDialect = {
  rename: { type: 'kind', sample: 'example' },
  known: new Set([
    'name',
    'type',
    'default',
    'sample',
    'required',
    'strict',
    'description',
    'json_schema',
    'items',
  ]),
  warnMissingKind: false,
};

/** Normalises the transitional 1.0 beta front matter (research §2.3) into the v2 shape. */
export function normalizeBeta(
  data: Record<string, unknown>,
  context: NormalizeContext,
): NormalizedFrontMatter {
  const front = parseWithSchema(BetaFrontMatterSchema, data, context);
  const extra = collectUnknown(context, front, TOP_LEVEL, []);
  const metadata = { ...(front.metadata ?? {}), ...compact({ id: front.id, version: front.version }) };
  const opm = opmBlock(metadata, context);
  return {
    kind: 'prompt',
    name: front.name ?? '',
    ...compact({ description: front.description }),
    metadata,
    model: normalizeModel(front.model, context),
    inputs: normalizeProperties(front.inputs, BETA_DIALECT, context, ['inputs']),
    outputs: normalizeProperties(front.outputs, BETA_DIALECT, context, ['outputs']),
    tools: normalizeTools(front.tools, context),
    template: normalizeTemplate(front.template, context),
    ...(opm === undefined ? {} : { opm }),
    extra,
  };
}

function normalizeModel(model: BetaFrontMatter['model'], context: NormalizeContext): Model {
  if (model === null || model === undefined) return { apiType: 'chat', options: {} };
  if (typeof model === 'string') return { id: model, apiType: 'chat', options: {} };
  collectUnknown(context, model, MODEL_KEYS, ['model']);
  const connection = model.connection;
  const id = model.id ?? (connection ? legacyModelId(connection) : undefined);
  return {
    ...compact({ id: typeof id === 'string' ? id : undefined, provider: providerFromType(connection?.type) }),
    apiType: model.api ?? 'chat',
    ...(connection ? { connection: legacyConnection(connection) } : {}),
    options: normalizeLegacyOptions(model.options),
  };
}

function normalizeTemplate(template: BetaFrontMatter['template'], context: NormalizeContext): Template {
  // The 1.0 beta defaulted to mustache (research §2.3), unlike v1 and v2.
  if (template === null || template === undefined)
    return { format: { kind: 'mustache' }, parser: { kind: 'prompty' } };
  if (typeof template === 'string') return { format: { kind: template }, parser: { kind: 'prompty' } };
  collectUnknown(context, template, TEMPLATE_KEYS, ['template']);
  return {
    format: {
      kind: template.format ?? template.template ?? 'mustache',
      ...compact({ strict: template.strict, options: template.options }),
    },
    parser: { kind: template.parser ?? 'prompty' },
  };
}

/** 1.0-beta tools use `id` and `type`; they become v2 `name` and `kind`, other fields kept. */
function normalizeTools(
  tools: BetaFrontMatter['tools'],
  context: NormalizeContext,
): Record<string, unknown>[] {
  if (tools === null || tools === undefined) return [];
  const list = Array.isArray(tools)
    ? tools.map((tool, index) => ({ tool, path: ['tools', index] as (string | number)[], key: undefined }))
    : Object.entries(tools).map(([key, tool]) => ({
        tool,
        path: ['tools', key] as (string | number)[],
        key,
      }));
  return list.map(({ tool, path, key }) => {
    if (!isRecord(tool)) throw invalidField(context, path, `'tools' entries must be mappings`);
    const { id, type, ...rest } = tool;
    const name = tool.name ?? id ?? key;
    const kind = tool.kind ?? type;
    if (typeof name !== 'string' || typeof kind !== 'string') {
      throw invalidField(context, path, `Each tool needs an 'id' (or 'name') and a 'type'`);
    }
    const parameters = isRecord(rest.options) ? rest.options.parameters : rest.parameters;
    return {
      ...rest,
      name,
      kind,
      ...(parameters === undefined
        ? {}
        : { parameters: normalizeProperties(parameters, BETA_DIALECT, context, [...path, 'parameters']) }),
    };
  });
}
