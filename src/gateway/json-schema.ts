/** The JSON-schema subset opm generates from `outputs` (and validates against). */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  description?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
}
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** A place where a value breaks its schema: `$.items[2].score: expected integer`. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** Validates `value` against the subset of JSON schema that `buildResponseFormat` produces. */
export function validateJsonSchema(value: unknown, schema: JsonSchema, path = '$'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((t) => hasType(value, t))) {
    return [{ path, message: `expected ${types.join(' | ')}, got ${describe(value)}` }];
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    issues.push({ path, message: `expected one of ${JSON.stringify(schema.enum)}` });
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      issues.push(...validateJsonSchema(item, schema.items as JsonSchema, `${path}[${i}]`));
    });
  }
  if (isPlainObject(value)) {
    for (const name of schema.required ?? []) {
      if (!(name in value)) issues.push({ path: `${path}.${name}`, message: 'is required' });
    }
    for (const [name, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[name];
      if (childSchema) issues.push(...validateJsonSchema(child, childSchema, `${path}.${name}`));
      else if (schema.additionalProperties === false) {
        issues.push({ path: `${path}.${name}`, message: 'is not allowed' });
      }
    }
  }
  return issues;
}

/** A value that satisfies `schema`: what the `echo` and `mock` providers answer with when no JSON is scripted. */
export function sampleFromSchema(schema: JsonSchema): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, child]) => [name, sampleFromSchema(child)]),
      );
    default:
      return null;
  }
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
    case 'null':
      return value === null;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
