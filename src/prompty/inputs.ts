import { PromptyError } from './errors.js';
import type { Generation, Prompty, Property } from './model.js';

/** How {@link resolveInputs} fills values the caller did not give. */
export interface ResolveInputsOptions {
  /**
   * Use the file's sample data (CLI `--sample`): v1/promptflow top-level `sample`, v2 and 1.0-beta
   * per-input `example` (1.0-beta `sample`). Never used otherwise. @default false
   */
  useSample?: boolean | undefined;
}

/** One declared input as tools (validator, UI forms) need it. */
export interface DeclaredInput {
  name: string;
  kind: string;
  /** Whether a run fails without a value for it, under this file's generation rules. */
  isRequired: boolean;
  hasDefault: boolean;
  description?: string;
}

/** Whether a run of this generation must be given `input` (research §6). */
function isRequired(input: Property, generation: Generation): boolean {
  const hasDefault = input.default !== undefined && input.default !== null;
  switch (generation) {
    case 'v2':
      return input.required === true && !hasDefault;
    case 'v1.0-beta':
      return input.required !== false && !hasDefault;
    case 'promptflow':
      return !hasDefault;
    case 'v1':
      return false;
  }
}

/** The declared inputs with their effective requiredness. */
export function listDeclaredInputs(prompt: Pick<Prompty, 'inputs' | 'generation'>): DeclaredInput[] {
  return prompt.inputs.map((input) => ({
    name: input.name,
    kind: input.kind,
    isRequired: isRequired(input, prompt.generation),
    hasDefault: input.default !== undefined && input.default !== null,
    ...(input.description === undefined ? {} : { description: input.description }),
  }));
}

/**
 * The values a template is rendered with: the caller's values, then declared defaults, then (only
 * with `useSample`) sample data. Keys nobody declared pass through. v1 0.1.x never applied
 * declared defaults; opm applies them for every generation so a v1 file renders the same with
 * or without a caller value (decision recorded in the tests). Missing required inputs raise
 * `prompty.missing_input`; values of the wrong kind raise `prompty.invalid_input`.
 */
export function resolveInputs(
  prompt: Pick<Prompty, 'inputs' | 'generation' | 'sample' | 'source'>,
  values: Record<string, unknown>,
  options: ResolveInputsOptions = {},
): Record<string, unknown> {
  const useSample = options.useSample === true;
  const legacySample = prompt.generation === 'v1' || prompt.generation === 'promptflow';
  const result: Record<string, unknown> = {};
  if (useSample && legacySample && prompt.sample) copyDefined(prompt.sample, result);
  copyDefined(values, result);
  const file = prompt.source.path;
  for (const input of prompt.inputs) {
    if (!Object.hasOwn(result, input.name)) {
      const fallback = valueFor(input, useSample && !legacySample);
      if (fallback !== undefined) {
        defineValue(result, input.name, fallback);
      } else if (isRequired(input, prompt.generation)) {
        throw new PromptyError('prompty.missing_input', `Missing required input '${input.name}'`, {
          details: { ...(file === undefined ? {} : { file }), input: input.name },
        });
      }
      continue;
    }
    checkKind(input, result[input.name], file);
  }
  return result;
}

/** Own data property even for a key like `__proto__`, which plain assignment would treat as the prototype. */
function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

/** Copies the defined own enumerable values of `source` (later copies win). */
function copyDefined(source: Record<string, unknown>, target: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value !== undefined) defineValue(target, key, value);
  }
}

function valueFor(input: Property, useExample: boolean): unknown {
  if (input.default !== undefined && input.default !== null) return input.default;
  return useExample ? input.example : undefined;
}

function actualKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return typeof value;
}

function isMessage(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { role?: unknown }).role === 'string' &&
    'content' in value
  );
}

/** `undefined` when `value` fits `kind`; kinds opm cannot check (union, media, custom) always fit. */
function mismatch(kind: string, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value !== 'string';
    case 'integer':
      return !Number.isInteger(value);
    case 'float':
    case 'number':
      return typeof value !== 'number' || !Number.isFinite(value);
    case 'boolean':
      return typeof value !== 'boolean';
    case 'array':
      return !Array.isArray(value);
    case 'object':
      return typeof value !== 'object' || value === null || Array.isArray(value);
    case 'thread':
      return !Array.isArray(value) || !value.every(isMessage);
    default:
      return false;
  }
}

function checkKind(input: Property, value: unknown, file: string | undefined): void {
  // null means "no value" to templates; only a declared `nullable: false` refuses it.
  if (value === null && input.nullable !== false) return;
  if (mismatch(input.kind, value)) {
    const expected = input.kind === 'thread' ? 'thread (array of {role, content} messages)' : input.kind;
    throw invalidInput(input, value, file, `must be ${expected}, got ${actualKind(value)}`);
  }
  if (input.enumValues && input.enumValues.length > 0 && !input.enumValues.includes(value)) {
    throw invalidInput(
      input,
      value,
      file,
      `must be one of ${JSON.stringify(input.enumValues)}, got ${JSON.stringify(value)}`,
    );
  }
}

function invalidInput(
  input: Property,
  value: unknown,
  file: string | undefined,
  problem: string,
): PromptyError {
  return new PromptyError('prompty.invalid_input', `Input '${input.name}' ${problem}`, {
    details: {
      ...(file === undefined ? {} : { file }),
      input: input.name,
      expected: input.kind,
      actual: actualKind(value),
    },
  });
}
