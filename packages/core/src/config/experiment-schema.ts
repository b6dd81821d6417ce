import { EXECUTION_PROVIDERS_SCHEMA } from '@envision/onnx-grad';
import type { JsonSchema } from '../method.js';

/** What the experiment loader needs of a plugin: its id, its options schema and its default options. */
export interface PluginPart {
  /** The id an experiment names the plugin by (`methods[].id`, `model.adapter`, `targets[].fusion.id`). */
  readonly id: string;
  /** JSON Schema (draft 2020-12) of the plugin's options, applied to `{ ...defaultOptions, ...given }`. */
  readonly optionsSchema: JsonSchema;
  /** Options merged under the given ones (`{ ...defaultOptions, ...given }`); none when absent. */
  readonly defaultOptions?: unknown;
}

/**
 * The plugins an experiment may name, by kind; plugin `meta` objects fit as they are
 * (`{ methods: methods.map((m) => m.meta), … }`). Pass the same object each time: compiled validators are cached by it.
 */
export interface ExperimentParts {
  /** Attribution methods. */
  readonly methods: readonly PluginPart[];
  /** Model adapters; an adapter's schema validates the fields of `model` other than `adapter`. */
  readonly adapters: readonly PluginPart[];
  /** Fusion rules for text targets. */
  readonly fusions: readonly PluginPart[];
}

/** The values the core fills in for optional fields (`output.dir` depends on the file name and is not here). */
export const EXPERIMENT_DEFAULTS = {
  strategy: 'auto',
  fusion: 'dot',
  classifierFusion: 'max',
  signs: ['all'],
  outlierPerc: 2,
  alpha: 0.5,
  seed: 0,
  /** The `sanity:` section's defaults (Quantus' MPRT seed; both kinds of steps down to the input). */
  sanity: { steps: 'both', layers: 'all', seed: 42, similarity: ['spearman', 'ssim'], randomPrompt: true },
} as const;

/**
 * Pattern of method and target names: they become file and folder names inside the output folder, so `.` and `..` are
 * not names, and a name is at most 64 characters.
 */
export const NAME_PATTERN = '^(?!\\.{1,2}$)[A-Za-z0-9._-]{1,64}$';

/** Message ajv errors of the target kind's `oneOf` are replaced with (see {@link MESSAGE_KEYWORD}). */
const TARGET_KIND_MESSAGE = "must have exactly one of 'dimensions', 'texts', 'classes' or 'promptSet'";

/**
 * Annotation keyword the core schema puts beside a `oneOf` whose branch errors say nothing useful: the validator
 * reports this message instead of the `oneOf` error and its branches.
 */
export const MESSAGE_KEYWORD = 'x-envision-message';

/**
 * Composes the JSON Schema (draft 2020-12) of an experiment file: the core schema, with each plugin's options schema
 * attached under an `if`/`then` keyed by the plugin's id (ESLint-style). An id no plugin has is not a schema error:
 * the validator reports it with a suggestion.
 *
 * - `methods[]`: `options` (when present) is validated by the method's schema. The loader validates data whose
 *   options already have the method's defaults merged in, so they are always present there.
 * - `model`: validated by the adapter's schema with `adapter` and `executionProviders` (the core's fields) added to its
 *   `properties`, so an adapter schema with `additionalProperties: false` accepts them and rejects everything else it does not know
 *   (so an adapter schema should declare its `properties` at its top level, not behind a `$ref`).
 * - `targets[].fusion`: like methods, keyed by `id`.
 *
 * Each plugin schema is embedded as its own schema resource (an `$id` of `urn:envision:<kind>:<index>:<id>` unless
 * it has one), so its local `$ref`s (`#/$defs/…`) keep working.
 * @param parts - the methods, adapters and fusion rules available
 */
export function experimentSchema(parts: ExperimentParts): JsonSchema {
  const id = { type: 'string', minLength: 1 };
  const name = { type: 'string', pattern: NAME_PATTERN };
  const options = { type: 'object' };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Envision experiment',
    type: 'object',
    additionalProperties: false,
    required: ['model', 'images', 'methods', 'targets'],
    properties: {
      plugins: { type: 'array', items: { type: 'string', minLength: 1 } },
      model: {
        type: 'object',
        required: ['adapter'],
        properties: { adapter: id, executionProviders: EXECUTION_PROVIDERS_SCHEMA },
        ...allOf(parts.adapters.map((part, i) => adapterRule(part, i))),
      },
      images: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      methods: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id, name, options },
          ...allOf(parts.methods.map((part, i) => optionsRule('method', part, i))),
        },
      },
      targets: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name,
            target: { enum: ['embedding', 'classifier'], default: 'embedding' },
            dimensions: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } },
            texts: { type: 'array', minItems: 1, items: { type: 'string' } },
            classes: {
              type: 'object',
              minProperties: 1,
              additionalProperties: { type: 'array', minItems: 1, items: { type: 'string' } },
            },
            promptSet: { type: 'string', minLength: 1 },
            n: { type: 'integer', minimum: 1 },
            explain: { enum: ['image', 'text'], default: 'image' },
            fusion: {
              type: 'object',
              additionalProperties: false,
              required: ['id'],
              properties: { id, options },
              default: { id: EXPERIMENT_DEFAULTS.fusion },
              ...allOf(parts.fusions.map((part, i) => optionsRule('fusion', part, i))),
            },
          },
          oneOf: [{ required: ['dimensions'] }, { required: ['texts'] }, { required: ['classes'] }, { required: ['promptSet'] }],
          [MESSAGE_KEYWORD]: TARGET_KIND_MESSAGE,
          dependentRequired: { n: ['promptSet'] },
          // token attributions need texts: not a dimensions target
          if: { required: ['explain'], properties: { explain: { const: 'text' } } },
          then: { not: { required: ['dimensions'] } },
        },
      },
      strategy: { enum: ['auto', 'direct', 'jacobian'], default: EXPERIMENT_DEFAULTS.strategy },
      output: {
        type: 'object',
        additionalProperties: false,
        properties: {
          dir: { type: 'string', minLength: 1 },
          signs: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: ['positive', 'negative', 'absolute_value', 'all'] },
            default: EXPERIMENT_DEFAULTS.signs,
          },
          outlierPerc: { type: 'number', minimum: 0, maximum: 100, default: EXPERIMENT_DEFAULTS.outlierPerc },
          alpha: { type: 'number', minimum: 0, maximum: 1, default: EXPERIMENT_DEFAULTS.alpha },
        },
      },
      seed: { type: 'integer', default: EXPERIMENT_DEFAULTS.seed },
      sanity: {
        type: 'object',
        additionalProperties: false,
        properties: {
          steps: { enum: ['cascading', 'independent', 'both'], default: EXPERIMENT_DEFAULTS.sanity.steps },
          layers: { oneOf: [{ type: 'integer', minimum: 1 }, { const: 'all' }], [MESSAGE_KEYWORD]: "must be a number of layers (an integer >= 1) or 'all'", default: EXPERIMENT_DEFAULTS.sanity.layers },
          seed: { type: 'integer', default: EXPERIMENT_DEFAULTS.sanity.seed },
          similarity: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['spearman', 'ssim'] }, default: EXPERIMENT_DEFAULTS.sanity.similarity },
          randomPrompt: { type: 'boolean', default: EXPERIMENT_DEFAULTS.sanity.randomPrompt },
        },
      },
    },
  };
}

/** `{ allOf: rules }`, or nothing when there are no rules (an empty `allOf` is not valid JSON Schema). */
function allOf(rules: JsonSchema[]): JsonSchema {
  return rules.length === 0 ? {} : { allOf: rules };
}

/** `if id is ID then options follow the plugin's schema` for a method or fusion rule. */
function optionsRule(kind: string, part: PluginPart, index: number): JsonSchema {
  const schema = embed(kind, part, index);
  return {
    if: { properties: { id: { const: part.id } }, required: ['id'] },
    then: { properties: { options: schema } },
  };
}

/**
 * `if adapter is ID then model follows the adapter's schema`, with the core's own fields of `model` (`adapter`,
 * `executionProviders`, validated by the core schema) allowed.
 */
function adapterRule(part: PluginPart, index: number): JsonSchema {
  const schema = embed('adapter', part, index);
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  return {
    if: { properties: { adapter: { const: part.id } }, required: ['adapter'] },
    then: { ...schema, properties: { ...properties, adapter: true, executionProviders: true } },
  };
}

/** A copy of a plugin schema that stands as its own schema resource inside the composed schema. */
function embed(kind: string, part: PluginPart, index: number): JsonSchema {
  const { $schema: _ignored, ...schema } = part.optionsSchema;
  return { ...schema, $id: schema['$id'] ?? `urn:envision:${kind}:${index}:${encodeURIComponent(part.id)}` };
}

/** True for a plain object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
