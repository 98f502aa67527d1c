import { z } from 'zod';

/**
 * zod schemas of the front matter as written, one per generation. They check the type of every
 * field a generation knows and let unknown fields through (the normalisers report those).
 * YAML `key:` with no value is `null`, so optional fields are `nullish`.
 */

const RecordSchema = z.record(z.string(), z.unknown());
/** Inputs, outputs and tools may be written as a list or as a mapping keyed by name. */
const ListOrMapSchema = z.union([z.array(z.unknown()), RecordSchema]);
const StringListSchema = z.array(z.string());

const V2FormatSchema = z.union([
  z.string(),
  z.looseObject({ kind: z.string(), strict: z.boolean().nullish(), options: RecordSchema.nullish() }),
]);
const V2ParserSchema = z.union([
  z.string(),
  z.looseObject({ kind: z.string(), options: RecordSchema.nullish() }),
]);

export const V2ModelFrontMatterSchema = z.looseObject({
  id: z.string().nullish(),
  provider: z.string().nullish(),
  apiType: z.string().nullish(),
  connection: RecordSchema.nullish(),
  options: RecordSchema.nullish(),
});
export type V2ModelFrontMatter = z.infer<typeof V2ModelFrontMatterSchema>;

export const V2FrontMatterSchema = z.looseObject({
  $schema: z.string().nullish(),
  kind: z.literal('prompt').nullish(),
  name: z.string().nullish(),
  displayName: z.string().nullish(),
  description: z.string().nullish(),
  metadata: RecordSchema.nullish(),
  model: z.union([z.string(), V2ModelFrontMatterSchema]).nullish(),
  inputs: ListOrMapSchema.nullish(),
  outputs: ListOrMapSchema.nullish(),
  tools: ListOrMapSchema.nullish(),
  // A bare string is v1 syntax and is refused for v2 files by the normaliser, with a clear message.
  template: z
    .union([
      z.string(),
      z.looseObject({ format: V2FormatSchema.nullish(), parser: V2ParserSchema.nullish() }),
    ])
    .nullish(),
  instructions: z.string().nullish(),
});
export type V2FrontMatter = z.infer<typeof V2FrontMatterSchema>;

export const V1ModelFrontMatterSchema = z.looseObject({
  api: z.string().nullish(),
  configuration: RecordSchema.nullish(),
  /** promptflow only: the name of a promptflow connection. */
  connection: z.string().nullish(),
  parameters: RecordSchema.nullish(),
  response: z.string().nullish(),
});
export type V1ModelFrontMatter = z.infer<typeof V1ModelFrontMatterSchema>;

/** Classic 0.1.x and promptflow front matter (research §2.1, §2.2). */
export const V1FrontMatterSchema = z.looseObject({
  $schema: z.string().nullish(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  version: z.union([z.string(), z.number()]).nullish(),
  authors: StringListSchema.nullish(),
  tags: StringListSchema.nullish(),
  base: z.string().nullish(),
  model: V1ModelFrontMatterSchema.nullish(),
  sample: RecordSchema.nullish(),
  inputs: RecordSchema.nullish(),
  outputs: RecordSchema.nullish(),
  template: z
    .union([z.string(), z.looseObject({ type: z.string().nullish(), parser: z.string().nullish() })])
    .nullish(),
});
export type V1FrontMatter = z.infer<typeof V1FrontMatterSchema>;

export const BetaModelFrontMatterSchema = z.looseObject({
  id: z.string().nullish(),
  api: z.string().nullish(),
  connection: RecordSchema.nullish(),
  options: RecordSchema.nullish(),
});
export type BetaModelFrontMatter = z.infer<typeof BetaModelFrontMatterSchema>;

/** The transitional 1.0 beta front matter (research §2.3). */
export const BetaFrontMatterSchema = z.looseObject({
  $schema: z.string().nullish(),
  id: z.string().nullish(),
  version: z.union([z.string(), z.number()]).nullish(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  base: z.string().nullish(),
  metadata: RecordSchema.nullish(),
  model: z.union([z.string(), BetaModelFrontMatterSchema]).nullish(),
  inputs: ListOrMapSchema.nullish(),
  outputs: ListOrMapSchema.nullish(),
  tools: ListOrMapSchema.nullish(),
  template: z
    .union([
      z.string(),
      z.looseObject({
        format: z.string().nullish(),
        /** Deprecated alias of `format`. */
        template: z.string().nullish(),
        parser: z.string().nullish(),
        strict: z.boolean().nullish(),
        options: RecordSchema.nullish(),
      }),
    ])
    .nullish(),
});
export type BetaFrontMatter = z.infer<typeof BetaFrontMatterSchema>;
