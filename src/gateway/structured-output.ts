import { GatewayError } from './errors.js';
import { type JsonSchema, type JsonType, validateJsonSchema } from './json-schema.js';
import type { OutputProperty as Property } from './types.js';

/** The OpenAI `response_format` for structured outputs. */
export interface JsonSchemaResponseFormat {
  type: 'json_schema';
  json_schema: { name: string; strict: boolean; schema: JsonSchema };
}

const TYPE_BY_KIND: Record<string, JsonType> = {
  string: 'string',
  integer: 'integer',
  float: 'number',
  number: 'number',
  boolean: 'boolean',
  array: 'array',
  object: 'object',
};

/**
 * Builds the `json_schema` response format from a prompt's `outputs`. OpenAI's strict mode wants
 * every property listed in `required` and no extra properties, so an optional output becomes
 * `[type, "null"]` instead of being left out of `required`. A part that strict mode cannot express
 * (an array without `items`, an object without `properties`) turns strict off for the whole schema.
 */
export function buildResponseFormat(outputs: readonly Property[]): JsonSchemaResponseFormat {
  const state = { isStrict: true };
  const schema = objectSchema(outputs, state, 'outputs');
  return { type: 'json_schema', json_schema: { name: 'structured_output', strict: state.isStrict, schema } };
}

function objectSchema(
  properties: readonly Property[],
  state: { isStrict: boolean },
  path: string,
): JsonSchema {
  const entries: Record<string, JsonSchema> = {};
  for (const property of properties) {
    const schema = propertySchema(property, state, `${path}.${property.name}`);
    entries[property.name] = property.required === true ? schema : withNull(schema);
  }
  return {
    type: 'object',
    properties: entries,
    required: properties.map((p) => p.name),
    additionalProperties: false,
  };
}

function propertySchema(property: Property, state: { isStrict: boolean }, path: string): JsonSchema {
  const type = TYPE_BY_KIND[property.kind];
  if (!type) {
    throw new GatewayError(
      'gateway.config',
      `output ${path} has kind "${property.kind}", which has no JSON type`,
      {
        details: { path, kind: property.kind },
      },
    );
  }
  let schema: JsonSchema;
  if (type === 'object') {
    if (property.properties && property.properties.length > 0) {
      schema = objectSchema(property.properties, state, path);
    } else {
      state.isStrict = false;
      schema = { type: 'object' };
    }
  } else if (type === 'array') {
    if (property.items) schema = { type: 'array', items: propertySchema(property.items, state, `${path}[]`) };
    else {
      state.isStrict = false;
      schema = { type: 'array' };
    }
  } else schema = { type };
  if (property.description) schema.description = property.description;
  if (property.enumValues && property.enumValues.length > 0) schema.enum = [...property.enumValues];
  return property.nullable === true ? withNull(schema) : schema;
}

function withNull(schema: JsonSchema): JsonSchema {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0 || types.includes('null')) return schema;
  const next: JsonSchema = { ...schema, type: [...types, 'null'] };
  if (next.enum) next.enum = [...next.enum, null];
  return next;
}

/**
 * Parses and validates a structured reply. Invalid JSON or a schema mismatch is a transient
 * `gateway.invalid_output`: sampling again (or another model) often fixes it. A markdown code
 * fence around the JSON is tolerated, since models without native structured outputs add one.
 */
export function parseStructuredOutput(text: string, format: JsonSchemaResponseFormat): unknown {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text);
  let value: unknown;
  try {
    value = JSON.parse(fenced?.[1] ?? text);
  } catch (error) {
    throw new GatewayError('gateway.invalid_output', `reply is not valid JSON: ${(error as Error).message}`, {
      details: { excerpt: text.slice(0, 200) },
    });
  }
  const issues = validateJsonSchema(value, format.json_schema.schema);
  if (issues.length > 0) {
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path} ${i.message}`)
      .join('; ');
    throw new GatewayError('gateway.invalid_output', `reply does not match the output schema: ${summary}`, {
      details: { issues },
    });
  }
  return value;
}
