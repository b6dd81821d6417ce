import { EnvisionError, explainedScores, formatShape, sizeOf, tensor, type AttributionRequest, type Tensor } from '@envision/core';
import { buildMask, composeInput, maskSchema, type FeatureMask, type MaskSpec } from './masks.js';

/** Options every method of this package takes. */
export interface MaskOptions {
  /** How the input is cut into features (Captum's `feature_mask`). */
  readonly mask: MaskSpec;
  /**
   * Value an absent feature takes, in the model's input space (Captum's `baselines`).
   * @default 0
   */
  readonly baseline: number;
  /**
   * Perturbed inputs per batched model call (Captum's `perturbations_per_eval`); results do not depend on it.
   * @default 16
   */
  readonly perturbationsPerEval: number;
}

/** Schema properties of {@link MaskOptions}. */
export const maskOptionProperties = {
  mask: maskSchema,
  baseline: { type: 'number', description: 'Value an absent feature takes (in the model input space).' },
  perturbationsPerEval: { type: 'integer', minimum: 1, description: 'Perturbed inputs per model call.' },
} as const;

/** Schema properties of the sampling methods' `samples` and `seed`. */
export const samplingProperties = {
  samples: { type: 'integer', minimum: 1, description: 'Number of samples (n_samples).' },
  seed: { type: 'integer', description: 'Seed of the random draws.' },
} as const;

/** What the methods share for one request: the input, its mask, and a batched scorer of coalitions. */
export interface MaskSetting {
  readonly x: Tensor<'float32'>;
  /** Shape after the batch axis. */
  readonly size: readonly number[];
  /** Elements after the batch axis. */
  readonly n: number;
  /** Target rows. */
  readonly k: number;
  readonly mask: FeatureMask;
  /** Perturbed inputs per model call (1 when the model's input has a fixed batch of 1). */
  readonly perEval: number;
}

/** Checks the input and builds the mask (once per request). */
export async function prepare(request: AttributionRequest<MaskOptions>, method: string): Promise<MaskSetting> {
  const { inputs, wrt, model, options } = request;
  const x = inputs[wrt];
  if (x === undefined || x.dtype !== 'float32') throw new EnvisionError('E_INPUT', `${method}: input '${wrt}' must be a float32 tensor`);
  if (x.shape[0] !== 1) throw new EnvisionError('E_INPUT', `${method}: input '${wrt}' must have batch 1, got shape ${formatShape(x.shape)}`);
  const mask = await buildMask(options.mask, x as Tensor<'float32'>, request.baseDir, method);
  const fixed = model.inputs.find((i) => i.name === wrt)?.shape[0] === 1;
  const size = x.shape.slice(1);
  return { x: x as Tensor<'float32'>, size, n: sizeOf(size), k: request.target.shape[0]!, mask, perEval: fixed ? 1 : options.perturbationsPerEval };
}

/**
 * The K explained scalars of the input with each coalition's absent features set to the baseline, `[count, K]`,
 * in batches of `perEval` inputs per model call. `coalitionAt(t)` gives coalition t (0/1 per feature; it may reuse
 * its array between calls). `progress` counts model calls: `done` is advanced and reported after each.
 */
export async function scoreCoalitions(
  request: AttributionRequest<MaskOptions>,
  setting: MaskSetting,
  count: number,
  coalitionAt: (t: number) => ArrayLike<number>,
  progress: { done: number; readonly total: number },
): Promise<Float32Array> {
  const { x, size, n, k, mask, perEval } = setting;
  const scores = new Float32Array(count * k);
  for (let first = 0; first < count; first += perEval) {
    const size0 = Math.min(perEval, count - first);
    const batch = new Float32Array(size0 * n);
    for (let b = 0; b < size0; b++) composeInput(x.data, mask, coalitionAt(first + b), request.options.baseline, batch.subarray(b * n, (b + 1) * n));
    scores.set(await explainedScores(request, tensor('float32', [size0, ...size], batch)), first * k);
    progress.done++;
    request.onProgress?.(progress.done, progress.total);
  }
  return scores;
}

/** Model calls needed for `count` perturbed inputs. */
export function calls(count: number, perEval: number): number {
  return Math.ceil(count / perEval);
}
