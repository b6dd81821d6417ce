import { type AttributionMethod, EnvisionError, isDifferentiable, tensor } from '@envision/core';

/** Options of the `__ID__` method. */
export interface __TYPE__Options {
  /**
   * The reference value x̄ the input is measured from: map = (x − x̄) ⊙ ∂s/∂x. 0 is Input × Gradient itself.
   * @default 0
   */
  readonly baseline: number;
}

/**
 * Input × Gradient (Shrikumar et al. 2016): for each explained scalar s_k = t_k · f(x) (row k of the target, a
 * weighting of the model output), map_k = (x − x̄) ⊙ ∂s_k/∂x. The gradient of Σ_k w_k s_k is Σ_k w_k ∂s_k/∂x, so the
 * method is linear in its target: Envision may then explain a fused target with one call (the `direct` strategy).
 */
export const __IDENT__: AttributionMethod<__TYPE__Options> = {
  meta: {
    id: '__ID__',
    kind: 'gradient',
    linear: true,
    description: 'Input × Gradient: the gradient of the explained score times the input (minus a baseline).',
    paper: 'Shrikumar, Greenside, Shcherbina & Kundaje (2016), Not Just a Black Box: Learning Important Features Through Propagating Activation Differences, arXiv:1605.01713.',
    optionsSchema: {
      type: 'object',
      properties: { baseline: { type: 'number', description: 'Value the input is measured from (0: Input × Gradient).' } },
      additionalProperties: false,
    },
    defaultOptions: { baseline: 0 },
  },
  async attribute({ model, inputs, wrt, of, target, options }) {
    if (!isDifferentiable(model)) {
      throw new EnvisionError('E_METHOD', '__ID__ needs gradients, which this model does not provide (load it as a DifferentiableOnnxModel)');
    }
    const x = inputs[wrt];
    if (x === undefined || x.dtype !== 'float32') throw new EnvisionError('E_METHOD', `__ID__: input ${wrt} must be a float32 tensor`);
    const values = x.data as Float32Array;
    // One vector–Jacobian product for all K target rows: gradient [1, K, …S] (batch 1).
    const { gradient } = await model.vjp(inputs, of, wrt, target);
    const k = target.shape[0]!;
    const n = values.length;
    const maps = new Float32Array(k * n);
    for (let r = 0; r < k; r++) {
      for (let i = 0; i < n; i++) maps[r * n + i] = (values[i]! - options.baseline) * gradient.data[r * n + i]!;
    }
    return { maps: tensor('float32', [k, ...x.shape.slice(1)], maps) };
  },
};
