import type { Generation } from './model.js';

type Data = Record<string, unknown>;

function asRecord(value: unknown): Data | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : undefined;
}

function entries(value: unknown): Data[] {
  if (Array.isArray(value)) return value.map(asRecord).filter((item): item is Data => item !== undefined);
  const record = asRecord(value);
  return record
    ? Object.values(record)
        .map(asRecord)
        .filter((item): item is Data => item !== undefined)
    : [];
}

/** A literal connection name, not a `${file:}`/`${env:}` reference that may hold a v2 connection. */
function isPlainName(value: unknown): boolean {
  return typeof value === 'string' && !value.startsWith('${');
}

/** Fields only promptflow's Prompty understood (research §2.2). */
function hasPromptflowMarkers(data: Data): boolean {
  const model = asRecord(data.model) ?? {};
  const configuration = asRecord(model.configuration);
  const parameters = asRecord(model.parameters);
  if (isPlainName(model.connection) || isPlainName(configuration?.connection)) return true;
  if (model.response !== undefined || parameters?.deployment_name !== undefined) return true;
  return entries(data.inputs).some(
    (input) =>
      input.is_chat_input !== undefined || input.is_chat_history !== undefined || input.type === 'list',
  );
}

/** A model written the v2 way (string shorthand, `id`, `provider`, `apiType`); v1 never had these. */
function hasModernModel(data: Data): boolean {
  const model = data.model;
  const record = asRecord(model);
  return (
    typeof model === 'string' ||
    record?.id !== undefined ||
    record?.provider !== undefined ||
    record?.apiType !== undefined
  );
}

/** Fields only the classic 0.1.x format wrote (research §2.1). */
function hasV1Markers(data: Data): boolean {
  const model = asRecord(data.model);
  return (
    model?.configuration !== undefined ||
    model?.parameters !== undefined ||
    data.authors !== undefined ||
    data.tags !== undefined ||
    data.sample !== undefined
  );
}

/**
 * Weaker v1 evidence: `base:` and a bare-string or `type` template. Next to a v2 model a string
 * template is a mistake in a v2 file, which the v2 normaliser reports.
 */
function hasWeakV1Markers(data: Data): boolean {
  const template = data.template;
  const weak =
    data.base !== undefined || typeof template === 'string' || asRecord(template)?.type !== undefined;
  return weak && !hasModernModel(data);
}

/** Fields of the transitional 1.0 beta (research §2.3): v2-like layout with v1 property names. */
function hasBetaMarkers(data: Data, body: string): boolean {
  const model = asRecord(data.model);
  const connection = asRecord(model?.connection);
  const typedProperty = (item: Data) => item.type !== undefined && item.kind === undefined;
  return (
    data.id !== undefined ||
    model?.api !== undefined ||
    (connection !== undefined && connection.kind === undefined) ||
    entries(data.inputs).some((input) => typedProperty(input) || input.sample !== undefined) ||
    entries(data.outputs).some(typedProperty) ||
    entries(data.tools).some((tool) => tool.id !== undefined || typedProperty(tool)) ||
    /^!\[thread\]/m.test(body)
  );
}

/** Fields that only v2 writes: a `kind` discriminator anywhere, or the v2 model names. */
function hasV2Markers(data: Data): boolean {
  const model = data.model;
  const record = asRecord(model);
  if (typeof model === 'string') return true;
  if (record && (record.provider !== undefined || record.apiType !== undefined)) return true;
  if (asRecord(record?.connection)?.kind !== undefined) return true;
  return [data.inputs, data.outputs, data.tools].some((list) => entries(list).some((item) => 'kind' in item));
}

/**
 * Tells which generation of the format a front matter was written in (research §0, §9.1).
 * Older generations win over v2 when their markers appear, because v2 never uses their names;
 * a file with no marker at all (`name:` only, or no front matter) is v2.
 */
export function detectGeneration(data: Record<string, unknown>, body = ''): Generation {
  if (hasPromptflowMarkers(data)) return 'promptflow';
  if (hasV1Markers(data)) return 'v1';
  if (hasBetaMarkers(data, body) && !hasV2Markers(data)) return 'v1.0-beta';
  if (hasWeakV1Markers(data)) return 'v1';
  return 'v2';
}
