import { type AttributionMethod, type AttributionRequest, type IntegrationMethod, type Tensor, explainedScores, pointGradients, quadrature, sizeOf, tensor } from '@envision/core';
import { type LayerMapOptions, layerAt, layerMapProperties } from './layer.js';
import { layerMapToInput } from './to-input.js';

/**
 * Options of Layer Integrated Gradients. `upsample` defaults to `none`: the attribution of every element of the layer,
 * `[K, …A]`, as Captum returns it; `bilinear` / `nearest` sum it over channels and resize it to the input like Grad-CAM.
 */
export interface LayerIgOptions extends LayerMapOptions {
  /** Interpolation points (Captum's `n_steps`). @default 50 */
  readonly steps: number;
  /** The integration rule (Captum's `method`). @default 'gausslegendre' */
  readonly integration: IntegrationMethod;
  /** The input baseline x₀, a constant; the layer's baseline is its activation A(x₀). @default 0 */
  readonly baseline: number;
}

/**
 * Layer Integrated Gradients as Captum's `LayerIntegratedGradients` computes it (attributions to the layer's output):
 * integrated gradients of the model cut at the layer, along the straight path from the layer's activation at the
 * baseline A(x₀) to its activation A(x) — the points A(x₀) + α_j (A(x) − A(x₀)) replace the layer's output while every
 * other input stays x: LIG_k = (A(x) − A(x₀)) ⊙ Σ_j s_j ∂y_k/∂A at those points. Reports the convergence delta
 * Σ LIG_k − (y_k(x) − y_k(x₀)) per row.
 */
async function attribute(request: AttributionRequest<LayerIgOptions>) {
  const { options, inputs, wrt, target } = request;
  const x = inputs[wrt] as Tensor<'float32'>;
  const k = target.shape[0]!;
  const atX = await layerAt(request, options.layer, x, 'layer-ig');
  const atBaseline = await layerAt(request, options.layer, tensor('float32', x.shape, new Float32Array(x.data.length).fill(options.baseline)), 'layer-ig');
  const a = atX.activation.data;
  const a0 = atBaseline.activation.data;
  const inner = atX.activation.shape.slice(1);
  const m = sizeOf(inner);
  const layerRequest = { ...request, model: atX.model, inputs: atX.feeds, wrt: options.layer };
  const { alphas, weights } = quadrature(options.integration, options.steps);
  // With a nonlinear head each point needs its own cotangents: points go one at a time, else in batches of 10.
  const batch = request.head !== undefined ? 1 : 10;
  const sum = new Float64Array(k * m);
  for (let first = 0; first < alphas.length; first += batch) {
    const count = Math.min(batch, alphas.length - first);
    const points = new Float32Array(count * m);
    for (let j = 0; j < count; j++) for (let i = 0; i < m; i++) points[j * m + i] = a0[i]! + alphas[first + j]! * (a[i]! - a0[i]!);
    const g = await pointGradients(layerRequest, tensor('float32', [count, ...inner], points), 'layer-ig'); // [count, K, …A]
    for (let j = 0; j < count; j++) {
      const w = weights[first + j]!;
      for (let i = 0; i < k * m; i++) sum[i]! += w * g.data[j * k * m + i]!;
    }
    request.onProgress?.(first + count, alphas.length);
  }
  const maps = new Float32Array(k * m);
  for (let r = 0; r < k; r++) for (let i = 0; i < m; i++) maps[r * m + i] = (a[i]! - a0[i]!) * sum[r * m + i]!;
  // y at x and at x₀, from the full model (no activation replaced)
  const both = new Float32Array(2 * x.data.length).fill(options.baseline);
  both.set(x.data);
  const scores = await explainedScores(request, tensor('float32', [2, ...x.shape.slice(1)], both));
  const convergenceDelta = Array.from({ length: k }, (_, r) => maps.subarray(r * m, (r + 1) * m).reduce((s, v) => s + v, 0) - (scores[r]! - scores[k + r]!));
  const report = { layer: options.layer, layerShape: inner, convergenceDelta, steps: options.steps, integration: options.integration };
  const layerMaps = tensor('float32', [k, ...inner], maps);
  if (options.upsample === 'none') return { maps: layerMaps, report };
  return { maps: layerMapToInput(layerMaps, x, options.tokens, options.layer, options.upsample, 'layer-ig'), report };
}

/** The Layer Integrated Gradients method plugin, id `layer-ig`. */
export const layerIg: AttributionMethod<LayerIgOptions> = {
  meta: {
    id: 'layer-ig',
    kind: 'gradient',
    linear: true,
    mapsShapedLikeInput: (options) => options.upsample !== 'none',
    description: "Layer Integrated Gradients: integrated gradients of a layer's output along the path from its activation at the baseline.",
    paper: 'Sundararajan, Taly & Yan (2017), Axiomatic Attribution for Deep Networks, ICML; Captum LayerIntegratedGradients.',
    optionsSchema: {
      type: 'object',
      properties: {
        ...layerMapProperties,
        steps: { type: 'integer', minimum: 1, description: 'Number of interpolation points (n_steps).' },
        integration: { enum: ['gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid'], description: "Captum's integration rule." },
        baseline: { type: 'number', description: 'The input baseline (a constant); the layer baseline is its activation there.' },
      },
      required: ['layer'],
      additionalProperties: false,
    },
    defaultOptions: { steps: 50, integration: 'gausslegendre', baseline: 0, upsample: 'none', tokens: 'none' },
  },
  attribute,
};
