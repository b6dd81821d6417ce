import { resolve } from 'node:path';
import { EnvisionError, isDifferentiable, explainedScores, pointGradients, readNpy, sameShape, formatShape, sizeOf, tensor, type AttributionMethod, type AttributionRequest, type Tensor, quadrature, type IntegrationMethod } from '@envision/core';

/** Options of Integrated Gradients (Captum's `IntegratedGradients.attribute` arguments). */
export interface IntegratedGradientsOptions {
  /**
   * Number of interpolation points (Captum's `n_steps`).
   * @default 50
   */
  readonly steps: number;
  /**
   * The integration rule (Captum's `method`).
   * @default 'gausslegendre'
   */
  readonly integration: IntegrationMethod;
  /**
   * The baseline x₀: a number (a constant image, in the model's input space) or the path of an npy array shaped
   * like the input (`[1, …S]` or `[…S]`).
   * @default 0
   */
  readonly baseline: number | string;
  /** Interpolation points per gradient call; default: as many as the model's memory budget allows. */
  readonly internalBatchSize?: number;
}

/** The baseline as an array of the input's size. */
async function baselineArray(baseline: number | string, x: Tensor<'float32'>): Promise<Float32Array> {
  const n = x.data.length;
  if (typeof baseline === 'number') return new Float32Array(n).fill(baseline);
  const b = await readNpy(resolve(baseline));
  const inner = x.shape.slice(1);
  if (!sameShape(b.shape, x.shape) && !sameShape(b.shape, inner)) {
    throw new EnvisionError('E_CONFIG', `ig baseline ${baseline} has shape ${formatShape(b.shape)}; expected ${formatShape(x.shape)} like the input`);
  }
  return Float32Array.from(b.data as Float32Array, Number);
}

/**
 * Integrated Gradients (Sundararajan et al. 2017): IG_k(x) = (x − x₀) ⊙ Σ_j s_j ∇F_k(x₀ + α_j (x − x₀)), with
 * Captum's integration rules. The interpolation points go through the gradient model in batches, each with all K
 * target rows. Reports the convergence delta Σ IG_k − (F_k(x) − F_k(x₀)) per row.
 */
async function attribute(request: AttributionRequest<IntegratedGradientsOptions>) {
  const { model, inputs, wrt, of, target, options } = request;
  if (!isDifferentiable(model)) throw new EnvisionError('E_METHOD', 'ig needs gradients, which this model does not provide; perturbation methods (occlusion) still work');
  // With a nonlinear head each point needs its own cotangents, so points go one at a time.
  const x = inputs[wrt] as Tensor<'float32'>;
  const inner = x.shape.slice(1);
  const n = sizeOf(inner);
  const k = target.shape[0]!;
  const x0 = await baselineArray(options.baseline, x);
  const { alphas, weights } = quadrature(options.integration, options.steps);
  const batch = request.head !== undefined ? 1 : (options.internalBatchSize ?? Math.min(alphas.length, (await model.batchLimit?.(inputs, of, wrt, k)) ?? 10));
  const sum = new Float64Array(k * n);
  for (let first = 0; first < alphas.length; first += batch) {
    const count = Math.min(batch, alphas.length - first);
    const points = new Float32Array(count * n);
    for (let j = 0; j < count; j++) {
      const a = alphas[first + j]!;
      for (let i = 0; i < n; i++) points[j * n + i] = x0[i]! + a * (x.data[i]! - x0[i]!);
    }
    const gradient = await pointGradients(request, tensor('float32', [count, ...inner], points), 'ig'); // [count, K, …S]
    for (let j = 0; j < count; j++) {
      const w = weights[first + j]!;
      const g = gradient.data.subarray(j * k * n, (j + 1) * k * n);
      for (let i = 0; i < k * n; i++) sum[i]! += w * g[i]!;
    }
    request.onProgress?.(first + count, alphas.length);
  }
  const maps = new Float32Array(k * n);
  for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) maps[r * n + i] = (x.data[i]! - x0[i]!) * sum[r * n + i]!;
  const convergenceDelta = await delta(request, x, x0, maps);
  return { maps: tensor('float32', [k, ...inner], maps), report: { convergenceDelta, steps: options.steps, integration: options.integration, internalBatchSize: batch } };
}

/** Σ IG_k − (F_k(x) − F_k(x₀)) for each target row k. */
async function delta(request: AttributionRequest<IntegratedGradientsOptions>, x: Tensor<'float32'>, x0: Float32Array, maps: Float32Array): Promise<number[]> {
  const n = x.data.length;
  const both = new Float32Array(2 * n);
  both.set(x.data);
  both.set(x0, n);
  const scores = await explainedScores(request, tensor('float32', [2, ...x.shape.slice(1)], both));
  const k = request.target.shape[0]!;
  return Array.from({ length: k }, (_, r) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += maps[r * n + i]!;
    return s - (scores[r]! - scores[k + r]!);
  });
}

/** The Integrated Gradients method plugin, id `ig`. */
export const integratedGradients: AttributionMethod<IntegratedGradientsOptions> = {
  meta: {
    id: 'ig',
    kind: 'gradient',
    linear: true,
    description: 'Path integral of the gradient from a baseline to the input, times (input − baseline).',
    paper: 'Sundararajan, Taly & Yan (2017), Axiomatic Attribution for Deep Networks, ICML.',
    optionsSchema: {
      type: 'object',
      properties: {
        steps: { type: 'integer', minimum: 1, description: 'Number of interpolation points (n_steps).' },
        integration: {
          enum: ['gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid'],
          description: 'Integration rule.',
        },
        baseline: { type: ['number', 'string'], description: 'A constant, or the path of an npy array shaped like the input.' },
        internalBatchSize: { type: 'integer', minimum: 1, description: 'Interpolation points per gradient call.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { steps: 50, integration: 'gausslegendre', baseline: 0 },
  },
  attribute,
};
