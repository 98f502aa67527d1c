import type { Generation, Model, Template } from './model.js';
import {
  legacyConnection,
  legacyModelId,
  normalizeLegacyOptions,
  providerFromType,
} from './normalize-model.js';
import {
  collectUnknown,
  compact,
  isRecord,
  type NormalizeContext,
  type NormalizedFrontMatter,
  normalizeProperties,
  opmBlock,
  type PropertyDialect,
  parseWithSchema,
  warn,
} from './normalize-shared.js';
import { type V1FrontMatter, V1FrontMatterSchema } from './schema.js';

const TOP_LEVEL = new Set([
  '$schema',
  'name',
  'description',
  'version',
  'authors',
  'tags',
  'base',
  'model',
  'sample',
  'inputs',
  'outputs',
  'template',
  // Not in Prompty.yaml, but every v1 runtime passes it through; opm keeps its block there.
  'metadata',
]);
const MODEL_KEYS = new Set(['api', 'configuration', 'connection', 'parameters', 'response']);
const TEMPLATE_KEYS = new Set(['type', 'parser']);

const V1_DIALECT: PropertyDialect = {
  rename: { type: 'kind' },
  known: new Set(['type', 'default', 'description']),
  warnMissingKind: false,
};
const PROMPTFLOW_DIALECT: PropertyDialect = {
  rename: { type: 'kind' },
  known: new Set(['type', 'default', 'description', 'is_chat_input', 'is_chat_history']),
  warnMissingKind: false,
};

/**
 * Normalises classic v1 (Python 0.1.x, promptyjs) and promptflow front matter into the v2 shape,
 * following the migration key map (research §2.4). Nothing is dropped: fields without a v2 home
 * stay in `extra` (top level) or in place, with a warning.
 */
export function normalizeV1(
  data: Record<string, unknown>,
  generation: Extract<Generation, 'v1' | 'promptflow'>,
  context: NormalizeContext,
): NormalizedFrontMatter {
  const front = parseWithSchema(V1FrontMatterSchema, data, context);
  const extra = collectUnknown(context, front, TOP_LEVEL, []);
  const metadata = {
    ...(isRecord(front.metadata) ? front.metadata : {}),
    ...compact({ authors: front.authors, tags: front.tags, version: front.version }),
  };
  const opm = opmBlock(metadata, context);
  const dialect = generation === 'promptflow' ? PROMPTFLOW_DIALECT : V1_DIALECT;
  const inputs = normalizeProperties(front.inputs, dialect, context, ['inputs']);
  return {
    kind: 'prompt',
    name: front.name ?? '',
    ...compact({ description: front.description, sample: front.sample }),
    metadata,
    model: normalizeModel(front.model, context, extra),
    // promptflow requires every input that has no default (research §2.2).
    inputs:
      generation === 'promptflow'
        ? inputs.map((input) => (input.default === undefined ? { ...input, required: true } : input))
        : inputs,
    outputs: normalizeProperties(front.outputs, dialect, context, ['outputs']),
    tools: [],
    template: normalizeTemplate(front.template, context),
    ...(opm === undefined ? {} : { opm }),
    extra,
  };
}

function normalizeModel(
  model: V1FrontMatter['model'],
  context: NormalizeContext,
  extra: Record<string, unknown>,
): Model {
  if (model === null || model === undefined) return { apiType: 'chat', options: {} };
  const unknown = collectUnknown(context, model, MODEL_KEYS, ['model']);
  const configuration = model.configuration ?? {};
  const parameters = model.parameters ?? {};
  const id = legacyModelId(configuration, parameters);
  const provider = providerFromType(configuration.type);
  const hasConnection = model.configuration !== null && model.configuration !== undefined;
  if (model.response !== null && model.response !== undefined) {
    // promptflow's `response: all` changes what a run returns; opm always returns the first choice.
    warn(context, 'prompty.ignored_field', ['model', 'response'], "'model.response' is kept but not applied");
  }
  const kept = { ...unknown, ...compact({ response: model.response }) };
  if (Object.keys(kept).length > 0) extra.model = kept;
  return {
    ...compact({ id, provider }),
    apiType: model.api ?? 'chat',
    ...(hasConnection || model.connection
      ? { connection: legacyConnection(configuration, model.connection ?? undefined) }
      : {}),
    options: normalizeLegacyOptions(parameters),
  };
}

function normalizeTemplate(template: V1FrontMatter['template'], context: NormalizeContext): Template {
  if (template === null || template === undefined)
    return { format: { kind: 'jinja2' }, parser: { kind: 'prompty' } };
  if (typeof template === 'string') return { format: { kind: template }, parser: { kind: 'prompty' } };
  collectUnknown(context, template, TEMPLATE_KEYS, ['template']);
  return { format: { kind: template.type ?? 'jinja2' }, parser: { kind: template.parser ?? 'prompty' } };
}
