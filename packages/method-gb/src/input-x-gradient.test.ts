import { describe, it, expect } from 'vitest';
import { attribute, tensor, type DifferentiableModel, type OutputHead, type Tensor } from '@envision/core';
import { inputXGradient } from './input-x-gradient.js';
import { saliency } from './saliency.js';

// y_j = Σ_i A[j,i] · x_i² for x [1, 4] → y [1, 2], run in JavaScript: ∂(w · y)/∂x_i = 2 x_i Σ_j w_j A[j,i].
const A = [
  [1, -2, 0.5, 3],
  [0, 1, -1, 2],
];
const forward = (x: ArrayLike<number>, b: number) => {
  const y = new Float32Array(b * 2);
  for (let s = 0; s < b; s++) for (let j = 0; j < 2; j++) for (let i = 0; i < 4; i++) y[s * 2 + j]! += A[j]![i]! * x[s * 4 + i]! ** 2;
  return y;
};
const model: DifferentiableModel = {
  inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
  run: (feeds) => {
    const x = feeds.x as Tensor<'float32'>;
    return Promise.resolve({ y: tensor('float32', [x.shape[0]!, 2], forward(x.data, x.shape[0]!)) });
  },
  vjp: (feeds, _of, _wrt, cotangent) => {
    const x = feeds.x as Tensor<'float32'>;
    const b = x.shape[0]!;
    const k = cotangent.shape[0]!;
    const g = new Float32Array(b * k * 4);
    for (let s = 0; s < b; s++) {
      for (let r = 0; r < k; r++) {
        for (let i = 0; i < 4; i++) g[(s * k + r) * 4 + i] = 2 * x.data[s * 4 + i]! * (cotangent.data[r * 2]! * A[0]![i]! + cotangent.data[r * 2 + 1]! * A[1]![i]!);
      }
    }
    return Promise.resolve({ gradient: tensor('float32', [b, k, 4], g), output: tensor('float32', [b, 2], forward(x.data, b)) });
  },
};
const x = tensor('float32', [1, 4], Float32Array.of(1, -2, 0.5, 3));
const weights = tensor('float32', [2, 2], Float32Array.of(1, 0, 0.5, -1));
const run = (method: typeof inputXGradient | typeof saliency, options: Record<string, unknown>, strategy: 'direct' | 'jacobian', head?: OutputHead) =>
  attribute({ method: method as never, options, model, inputs: { x }, wrt: 'x', of: 'y', weights, strategy, ...(head ? { head } : {}) });

describe('input-x-gradient', () => {
  it('is x ⊙ ∂(w_k · y)/∂x, row by row (hand-computed)', async () => {
    const { maps } = await run(inputXGradient, {}, 'direct');
    expect(maps.shape).toEqual([2, 4]);
    // row 0: w = [1, 0] → 2 x_i² A[0,i] = 2·[1, −8, 0.125, 27]; row 1: w = [0.5, −1] → 2 x_i² (0.5 A[0,i] − A[1,i]) = 2·[1, 4, 0.25, 9] ⊙ [0.5, −2, 1.25, −0.5].
    expect([...maps.data]).toEqual([2, -16, 0.25, 54, 1, -16, 0.625, -9]);
  });

  it('is linear in the target: direct equals the per-element (jacobian) combination, and it says so', async () => {
    expect(inputXGradient.meta.linear).toBe(true);
    expect([...(await run(inputXGradient, {}, 'jacobian')).maps.data]).toEqual([...(await run(inputXGradient, {}, 'direct')).maps.data]);
  });

  it('with a nonlinear head, is x ⊙ the signed saliency map of the head, as saliency handles heads', async () => {
    // s_k(y) = y_k²: cotangent row k at y is 2 y_k e_k.
    const head: OutputHead = {
      scores: (out) => Float32Array.from(out.data, (v) => v * v),
      cotangents: (out) => tensor('float32', [2, 2], Float32Array.of(2 * out.data[0]!, 0, 0, 2 * out.data[1]!)),
    };
    const grads = (await run(saliency, { abs: false }, 'direct', head)).maps.data;
    const ixg = (await run(inputXGradient, {}, 'direct', head)).maps.data;
    expect([...ixg]).toEqual([...grads].map((g, i) => Math.fround(g * x.data[i % 4]!)));
  });

  it('rejects options, and a model without gradients, naming the method', async () => {
    await expect(run(inputXGradient, { abs: true }, 'direct')).rejects.toThrow('options.abs is not allowed');
    const { vjp: _vjp, ...forwardOnly } = model;
    await expect(
      inputXGradient.attribute({ model: forwardOnly, inputs: { x }, wrt: 'x', of: 'y', target: weights, options: {} }),
    ).rejects.toThrow('input-x-gradient needs gradients');
  });
});
