import { randomBytes } from 'node:crypto';
import { PromptyError } from '../errors.js';
import { V2_ROLES } from '../parse/role-marker.js';
import { findForgedBoundary } from '../parse/strict-nonce.js';
import { compileJinja, runCompiled, withIncludeScope } from './nunjucks-env.js';
import { locateTemplateError, type RenderTemplateOptions } from './render.js';
import { toSandboxValues } from './safe-values.js';
import { DEFAULT_RENDER_LIMITS, type SegmentRecord, withRenderBudget } from './sandbox-runtime.js';

/** A piece of rendered output and where it came from (Prompty Jinja Subset §8). */
export interface RenderSegment {
  /** `literal`: written by the template author; `interp`: printed from input values. */
  kind: 'literal' | 'interp';
  text: string;
  /** The input an `interp` segment was printed from (names joined by `,` when several); null for literals. */
  source: string | null;
  /** Whether that input is strict: a role marker in its text is refused. */
  strict: boolean;
}

export interface RenderSegmentsOptions extends RenderTemplateOptions {
  /** Inputs whose values may not contain anything that looks like a role marker. */
  strictInputs?: Readonly<Record<string, boolean>> | undefined;
}

const MARKER = /\uE000([0-9a-f]{16}):(\d+)\uE001/g;

function resolveMarkers(text: string, token: string, records: readonly SegmentRecord[]): string {
  return text.replace(MARKER, (whole, t: string, i: string) =>
    t === token ? resolveMarkers(records[Number(i)]?.text ?? '', token, records) : whole,
  );
}

function toSegments(
  output: string,
  token: string,
  records: readonly SegmentRecord[],
  strict: Readonly<Record<string, boolean>>,
): RenderSegment[] {
  const segments: RenderSegment[] = [];
  const push = (segment: RenderSegment): void => {
    const last = segments.at(-1);
    if (segment.text === '') return;
    if (segment.kind === 'literal' && last?.kind === 'literal') last.text += segment.text;
    else segments.push(segment);
  };
  let cursor = 0;
  for (const match of output.matchAll(MARKER)) {
    const record = match[1] === token ? records[Number(match[2])] : undefined;
    if (!record) continue;
    push({ kind: 'literal', text: output.slice(cursor, match.index), source: null, strict: false });
    cursor = match.index + match[0].length;
    const text = resolveMarkers(record.text, token, records);
    if (record.sources.length === 0) push({ kind: 'literal', text, source: null, strict: false });
    else {
      const isStrict = record.sources.some((name) => strict[name] === true);
      push({ kind: 'interp', text, source: record.sources.join(','), strict: isStrict });
    }
  }
  push({ kind: 'literal', text: output.slice(cursor), source: null, strict: false });
  return segments;
}

/**
 * Renders a jinja2 template into provenance-tagged segments: literal template text versus text printed
 * from inputs. An input marked strict whose text contains a role-marker line (even with text after
 * the colon) fails with `prompty.role_injection` naming the input.
 */
export function renderSegments(
  template: string,
  values: Record<string, unknown>,
  options: RenderSegmentsOptions,
): RenderSegment[] {
  if (options.engine === 'mustache') {
    throw new PromptyError('prompty.unsupported', 'renderSegments supports jinja2 templates only');
  }
  const token = randomBytes(8).toString('hex');
  const records: SegmentRecord[] = [];
  let output: string;
  try {
    const compiled = compileJinja(template, 'template', 'segments');
    const limits = { ...DEFAULT_RENDER_LIMITS, ...options.limits };
    output = withRenderBudget(
      limits,
      () => withIncludeScope(options.templates ?? {}, () => runCompiled(compiled, toSandboxValues(values))),
      { token, records },
    );
  } catch (error) {
    throw locateTemplateError(error, options);
  }
  const segments = toSegments(output, token, records, options.strictInputs ?? {});
  for (const segment of segments) {
    if (!segment.strict) continue;
    const forged = findForgedBoundary(segment.text, V2_ROLES);
    if (forged !== undefined) {
      throw new PromptyError(
        'prompty.role_injection',
        `Strict input '${segment.source}' contains a role marker: "${forged.trim()}"`,
        {
          details: { input: segment.source ?? '', ...(options.file ? { file: options.file } : {}) },
        },
      );
    }
  }
  return segments;
}
