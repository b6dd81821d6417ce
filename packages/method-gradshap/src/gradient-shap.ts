import { resolve } from 'node:path';
import {
  EnvisionError,
  isDifferentiable,
  pointGradients,
  readNpy,
  formatShape,
  sameShape,
  sizeOf,
  tensor,
  type AttributionMethod,
  type AttributionRequest,
  type AttributionResult,
  type Tensor,
} from '@envision/core';
import { drawSamples, type ShapDraw } from './draws.js';

/** Options of GradientShap (Captum's `GradientShap.attribute` arguments). */
export interface GradientShapOptions {
  /**
   * Number of samples (Captum's `n_samples`).
   * @default 5
   */
  readonly samples: number;
  /**
   * Standard deviation of the Gaussian noise added to the input for each sample (Captum's `stdevs`).
   * @default 0
   */
  readonly stdevs: number;
  /**
   * The baseline distribution, drawn from with replacement: a list of numbers (each a constant image in the model's
   * input space) or the path of an npy array `[N, …S]`.
   */
  readonly baselines: number[] | string;
  /**
   * Seed of the draws; the same seed gives the same attribution.
   * @default 0
   */
  readonly seed: number;
  /** Samples per gradient call; default: as many as the model's memory budget allows. */
  readonly internalBatchSize?: number;
}

/** The baselines as N arrays of the input's size. */
async function baselineArrays(baselines: number[] | string, inner: readonly number[]): Promise<Float32Array[]> {
  const n = sizeOf(inner);
  if (Array.isArray(baselines)) return baselines.map((v) => new Float32Array(n).fill(v));
  const b = await readNpy(resolve(baselines));
  if (!sameShape(b.shape.slice(1), inner)) {
    throw new EnvisionError('E_CONFIG', `gradshap baselines ${baselines} have shape ${formatShape(b.shape)}; expected [N, ${inner.join(', ')}]`);
  }
  const data = Float32Array.from(b.data as Float32Array, Number);
  return Array.from({ length: b.shape[0]! }, (_, i) => data.subarray(i * n, (i + 1) * n));
}

/**
 * GradientShap as Captum computes it (a SmoothGrad noise tunnel over input × gradient with a baseline drawn per
 * sample): for each sample s with baseline b_s, position α_s and noise ε_s, x̃_s = x + ε_s and
 * φ_k = mean_s (x̃_s − b_s) ⊙ ∇F_k(b_s + α_s (x̃_s − b_s)).
 * The draws are given, so tests can replay any set; {@link gradientShap} draws them from its seed.
 */
export async function gradientShapFromDraws(
  request: AttributionRequest<GradientShapOptions>,
  baselines: readonly Float32Array[],
  draws: readonly ShapDraw[],
): Promise<AttributionResult> {
  const { model, inputs, wrt, of, target, options } = request;
  if (!isDifferentiable(model)) throw new EnvisionError('E_METHOD', 'gradshap needs gradients, which this model does not provide; perturbation methods (occlusion) still work');
  const x = inputs[wrt] as Tensor<'float32'>;
  const inner = x.shape.slice(1);
  const n = sizeOf(inner);
  const k = target.shape[0]!;
  const batch = request.head !== undefined ? 1 : (options.internalBatchSize ?? Math.min(draws.length, (await model.batchLimit?.(inputs, of, wrt, k)) ?? 10));
  const sum = new Float64Array(k * n);
  for (let first = 0; first < draws.length; first += batch) {
    const count = Math.min(batch, draws.length - first);
    const points = new Float32Array(count * n);
    const diffs = new Float32Array(count * n);
    for (let j = 0; j < count; j++) {
      const { baseline, alpha, noise } = draws[first + j]!;
      const b = baselines[baseline]!;
      for (let i = 0; i < n; i++) {
        const xi = x.data[i]! + (noise?.[i] ?? 0);
        diffs[j * n + i] = xi - b[i]!;
        points[j * n + i] = b[i]! + alpha * (xi - b[i]!);
      }
    }
    const gradient = await pointGradients(request, tensor('float32', [count, ...inner], points), 'gradshap'); // [count, K, …S]
    for (let j = 0; j < count; j++) {
      for (let r = 0; r < k; r++) {
        const g = gradient.data.subarray((j * k + r) * n, (j * k + r + 1) * n);
        for (let i = 0; i < n; i++) sum[r * n + i]! += diffs[j * n + i]! * g[i]!;
      }
    }
    request.onProgress?.(first + count, draws.length);
  }
  const maps = Float32Array.from(sum, (v) => v / draws.length);
  return { maps: tensor('float32', [k, ...inner], maps), report: { samples: draws.length, seed: options.seed } };
}

/** The GradientShap method plugin, id `gradshap`. */
export const gradientShap: AttributionMethod<GradientShapOptions> = {
  meta: {
    id: 'gradshap',
    kind: 'gradient',
    linear: true,
    description: 'Expected input × gradient over baselines drawn from a distribution and random points on the path.',
    paper: 'Lundberg & Lee (2017), A Unified Approach to Interpreting Model Predictions, NeurIPS.',
    optionsSchema: {
      type: 'object',
      properties: {
        samples: { type: 'integer', minimum: 1, description: 'Number of samples (n_samples).' },
        stdevs: { type: 'number', minimum: 0, description: 'Standard deviation of the input noise.' },
        baselines: {
          oneOf: [
            { type: 'array', items: { type: 'number' }, minItems: 1 },
            { type: 'string', minLength: 1 },
          ],
          description: 'Constants (one image each) or the path of an npy array [N, …S].',
        },
        seed: { type: 'integer', description: 'Seed of the random draws.' },
        internalBatchSize: { type: 'integer', minimum: 1, description: 'Samples per gradient call.' },
      },
      required: ['baselines'],
      additionalProperties: false,
    },
    defaultOptions: { samples: 5, stdevs: 0, seed: 0 },
  },
  async attribute(request) {
    const x = request.inputs[request.wrt]!;
    const inner = x.shape.slice(1);
    const baselines = await baselineArrays(request.options.baselines, inner);
    const { samples, stdevs, seed } = request.options;
    return gradientShapFromDraws(request, baselines, drawSamples(samples, baselines.length, sizeOf(inner), stdevs, seed));
  },
};
