import { z } from 'zod';

/**
 * The one internal model every generation of the format is normalised into. It is v2-shaped
 * (Microsoft prompty `Agent`), so a v2 file maps onto it nearly 1:1 and older files are migrated.
 */

/** Which generation of the .prompty format a file was written in. */
export const PROMPTY_GENERATIONS = ['promptflow', 'v1', 'v1.0-beta', 'v2'] as const;
export const GenerationSchema = z.enum(PROMPTY_GENERATIONS);
export type Generation = z.infer<typeof GenerationSchema>;

export const PROPERTY_KINDS = [
  'string',
  'integer',
  'float',
  'number',
  'boolean',
  'array',
  'object',
  'union',
  'thread',
  'image',
  'file',
  'audio',
] as const;

/** An input or output declaration (v2 `Property`). */
export const PropertySchema: z.ZodType<Property> = z.lazy(() =>
  z
    .object({
      name: z.string().min(1),
      kind: z.string(),
      description: z.string().optional(),
      required: z.boolean().optional(),
      nullable: z.boolean().optional(),
      default: z.unknown().optional(),
      example: z.unknown().optional(),
      enumValues: z.array(z.unknown()).optional(),
      strict: z.boolean().optional(),
      items: PropertySchema.optional(),
      properties: z.array(PropertySchema).optional(),
    })
    .catchall(z.unknown()),
);
export interface Property {
  name: string;
  /** `string | integer | float | number | boolean | array | object | union | thread | image | file | audio` */
  kind: string;
  description?: string | undefined;
  required?: boolean | undefined;
  nullable?: boolean | undefined;
  default?: unknown;
  /** Tooling only; never used at run time. */
  example?: unknown;
  enumValues?: unknown[] | undefined;
  /** Per-input strictness against role injection (jinja-subset provenance). */
  strict?: boolean | undefined;
  items?: Property | undefined;
  properties?: Property[] | undefined;
  [extra: string]: unknown;
}

export const ModelSchema = z.object({
  id: z.string().optional(),
  provider: z.string().optional(),
  /** `chat | embedding | image | responses | completion` */
  apiType: z.string().default('chat'),
  connection: z.record(z.string(), z.unknown()).optional(),
  options: z.record(z.string(), z.unknown()).default({}),
});
export type Model = z.infer<typeof ModelSchema>;

export const TemplateSchema = z.object({
  format: z.object({
    /** Renderer key: `jinja2` (alias `nunjucks`) or `mustache`. */
    kind: z.string(),
    /** Injection defence: role markers may only come from the template itself. */
    strict: z.boolean().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
  parser: z.object({
    /** Parser key: `prompty` splits role markers into messages; `none` keeps one string. */
    kind: z.string(),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type Template = z.infer<typeof TemplateSchema>;

/** Something the loader noticed but did not refuse: an unknown field, a deprecated form. */
export const LoadWarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** Dotted path in the front matter, e.g. `model.parameters.foo`. */
  path: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
export type LoadWarning = z.infer<typeof LoadWarningSchema>;

export const PromptySchema = z.object({
  kind: z.literal('prompt'),
  name: z.string(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()),
  model: ModelSchema,
  inputs: z.array(PropertySchema),
  outputs: z.array(PropertySchema),
  tools: z.array(z.record(z.string(), z.unknown())),
  template: TemplateSchema,
  /** The template body (the markdown after the front matter). */
  instructions: z.string(),
  /** opm's own block (`metadata.opm` in the file): fallbacks, rate limits... kept verbatim. */
  opm: z.record(z.string(), z.unknown()).optional(),
  /** v1/promptflow `sample` data, already resolved; tooling and `--sample` only. */
  sample: z.record(z.string(), z.unknown()).optional(),
  /** Front-matter keys this model has no place for, kept verbatim (also reported as warnings). */
  extra: z.record(z.string(), z.unknown()),
  generation: GenerationSchema,
  warnings: z.array(LoadWarningSchema),
  source: z.object({
    /** Absolute path of the file, when it came from a file. */
    path: z.string().optional(),
    /** sha256 (hex) of the raw file text. */
    contentHash: z.string(),
    /** 1-based line where the body starts in the file (for template error positions). */
    bodyLine: z.number().int(),
    /**
     * Other templates the body may `{% extends %}` or `{% include %}`, keyed by basename
     * (v1 `base:` chain). Their bodies only.
     */
    templates: z.record(z.string(), z.string()).optional(),
  }),
});
export type Prompty = z.infer<typeof PromptySchema>;

/** A part of a multimodal OpenAI chat message. */
export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: 'file'; file: { file_data?: string; file_id?: string; filename?: string } };

/** An OpenAI chat message as opm sends it: content is a string, or parts when there is media. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'developer' | 'function' | 'tool';
  content: string | ChatContentPart[];
  name?: string;
  /** Role attributes from `role[k=v]:` markers, other than the strict-mode nonce. */
  metadata?: Record<string, unknown>;
}
