import type { JsonSchema } from '@envision/core';

/** The `format` value of the bundles this package reads. */
export const BUNDLE_FORMAT = 'envision-bundle/1';

const relativeFile = (what: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  description: `${what}, a path relative to the bundle folder`,
});

const name = (what: string): JsonSchema => ({ type: 'string', minLength: 1, description: what });

/**
 * JSON Schema (draft 2020-12) of a MedCLIP bundle's `envision.json`. Every object is closed
 * (`additionalProperties: false`) so a misspelt field is reported instead of ignored; `image.resample`
 * is the only optional field (default `bicubic`).
 */
export const manifestSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Envision MedCLIP bundle manifest',
  type: 'object',
  additionalProperties: false,
  required: ['format', 'adapter', 'variant', 'vision', 'text', 'tokenizer', 'image', 'logitScale', 'embeddingDim'],
  properties: {
    format: { const: BUNDLE_FORMAT },
    adapter: { const: 'medclip' },
    variant: { type: 'string', description: 'which MedCLIP checkpoint was exported (free text, e.g. vit or resnet)' },
    vision: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'input', 'output', 'channels'],
      properties: {
        file: relativeFile('the vision ONNX model'),
        input: name('input taking normalised pixels [B, channels, size, size]'),
        output: name('output giving the unnormalised image embedding [B, embeddingDim]'),
        channels: { type: 'integer', minimum: 1, maximum: 16, description: 'channels the grey image is repeated to' },
        layers: {
          type: 'object',
          description: 'names for useful layers of the vision model (alias → tensor name), e.g. { "lastStage": "/encoder/…" }, for layer methods',
          additionalProperties: { type: 'string', minLength: 1 },
        },
      },
    },
    text: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'inputs', 'output'],
      properties: {
        file: relativeFile('the text ONNX model'),
        inputs: {
          type: 'object',
          additionalProperties: false,
          required: ['ids', 'mask'],
          properties: {
            ids: name('input taking int64 token ids [B, L]'),
            mask: name('input taking the int64 attention mask [B, L]'),
          },
        },
        output: name('output giving the unnormalised text embedding [B, embeddingDim]'),
      },
    },
    tokenizer: {
      type: 'object',
      additionalProperties: false,
      required: ['vocab', 'lowercase', 'maxLength'],
      properties: {
        vocab: relativeFile('the WordPiece vocabulary, one token a line'),
        lowercase: { type: 'boolean', description: 'lowercase and strip accents (BERT uncased)' },
        maxLength: { type: 'integer', minimum: 2, description: 'longest sequence, [CLS] and [SEP] included' },
      },
    },
    image: {
      type: 'object',
      additionalProperties: false,
      required: ['size', 'mean', 'std'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 4096, description: 'side of the square model input' },
        mean: { type: 'number', minimum: -1000, maximum: 1000, description: 'normalisation mean on the [0, 1] scale (at most 1000 in magnitude, so that normalised pixels stay finite)' },
        std: { type: 'number', minimum: 1e-6, maximum: 1000, description: 'normalisation standard deviation on the [0, 1] scale, from 1e-6 to 1000 (so that normalised pixels stay finite)' },
        resample: { enum: ['bicubic', 'bilinear'], default: 'bicubic', description: 'PIL filter of the resize' },
      },
    },
    logitScale: { type: 'number', description: 'log of the similarity temperature' },
    embeddingDim: { type: 'integer', minimum: 1, description: 'dimension of the joint embedding space' },
  },
};
