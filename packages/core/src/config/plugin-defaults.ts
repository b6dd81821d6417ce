import { EXPERIMENT_DEFAULTS, type ExperimentParts, type PluginPart } from './experiment-schema.js';

/**
 * A copy of the experiment data with each plugin's `defaultOptions` merged under the options given
 * (`{ ...defaultOptions, ...given }`): `methods[].options`, `targets[].fusion.options`, and the adapter's fields of
 * `model`. A text target without `fusion` gets `{ id: 'dot' }` first (`{ id: 'max' }` for a classifier target). Validation runs on this copy, so options are
 * checked exactly as they will run. Values of the wrong shape and unknown ids are left alone (validation reports them).
 * @param data - the experiment as plain data
 * @param parts - the plugins, for their defaults
 */
export function withPluginDefaults(data: unknown, parts: ExperimentParts): unknown {
  if (!isObject(data)) return data;
  const copy = structuredClone(data);
  const model = copy['model'];
  if (isObject(model)) {
    const part = find(parts.adapters, model['adapter']);
    if (part !== undefined) copy['model'] = { ...defaultsOf(part), ...model };
  }
  for (const method of objects(copy['methods'])) mergeOptions(method, parts.methods);
  for (const target of objects(copy['targets'])) {
    if (target['fusion'] === undefined && target['dimensions'] === undefined) {
      // The proposed approach fuses with the paper's dot product; the baseline reduces each class with MedCLIP's
      // PromptClassifier default (the maximum over its prompts).
      target['fusion'] = { id: target['target'] === 'classifier' ? EXPERIMENT_DEFAULTS.classifierFusion : EXPERIMENT_DEFAULTS.fusion };
    }
    if (isObject(target['fusion'])) mergeOptions(target['fusion'], parts.fusions);
  }
  return copy;
}

/** Sets `item.options` to the defaults of the part named by `item.id` under the given options. */
function mergeOptions(item: Record<string, unknown>, known: readonly PluginPart[]): void {
  const part = find(known, item['id']);
  const given = item['options'];
  if (part === undefined || (given !== undefined && !isObject(given))) return;
  item['options'] = { ...defaultsOf(part), ...given };
}

/** A copy of the part's default options (an empty object when it has none). */
function defaultsOf(part: PluginPart): Record<string, unknown> {
  return isObject(part.defaultOptions) ? structuredClone(part.defaultOptions) : {};
}

/** The part with this id. */
function find(parts: readonly PluginPart[], id: unknown): PluginPart | undefined {
  return parts.find((p) => p.id === id);
}

/** The object items of a list. */
function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** True for a plain object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
