import { describe, it, expect } from 'vitest';
import { type AttributeInput, makeNode } from '../../onnx/build.js';
import type { Tensor } from '../../tensor.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { LayerNormalization } from './LayerNormalization.js';

const check = async (x: Tensor, scale: Tensor, bias: Tensor | undefined, attributes: Record<string, AttributeInput>, options: { rows?: number; of?: number; opset?: number; epsilon?: number } = {}) =>
  (await checkGradient({ op: 'LayerNormalization', inputs: bias ? [x, scale, bias] : [x, scale], wrt: 0, attributes, outputs: 3, rules: [LayerNormalization], ...options })).relativeError;

describe('LayerNormalization gradient', () => {
  it('w.r.t. X over the last axis (as in a transformer), with and without Bias', async () => {
    const scale = randomTensor('float64', [6], 2);
    expect(await check(randomTensor('float64', [1, 5, 6], 1), scale, randomTensor('float64', [6], 3), { epsilon: 1e-3 })).toBeLessThan(1e-6);
    expect(await check(randomTensor('float64', [2, 5, 6], 4), scale, undefined, {}, { rows: 3, opset: 18 })).toBeLessThan(1e-6);
  });

  it('w.r.t. X over several axes (axis 1 and −2)', async () => {
    const x = randomTensor('float64', [2, 3, 4], 5);
    expect(await check(x, randomTensor('float64', [3, 4], 6), randomTensor('float64', [3, 4], 7), { axis: 1n })).toBeLessThan(1e-6);
    expect(await check(x, randomTensor('float64', [3, 4], 6), undefined, { axis: -2n }, { opset: 18 })).toBeLessThan(1e-6);
  });

  it('w.r.t. X through the Mean and InvStdDev outputs', async () => {
    // They have the stash type, float32 (onnxruntime implements no other), and so has the gradient: ε = 1e-2,
    // tolerance 2e-3. (Bias is left out rather than given as '': onnxruntime 1.30 crashes creating a float32
    // LayerNormalization session with an empty Bias name.)
    const x = randomTensor('float32', [2, 3, 4], 8);
    for (const of of [1, 2]) {
      expect(await check(x, randomTensor('float32', [4], 9), undefined, {}, { of, epsilon: 1e-2 })).toBeLessThan(2e-3);
      expect(await check(x, randomTensor('float32', [3, 4], 9), undefined, { axis: -2n }, { of, epsilon: 1e-2, rows: 3, opset: 18 })).toBeLessThan(2e-3);
    }
  });

  it('w.r.t. Scale and Bias (batched along the normalised axis, the model transposing it first)', async () => {
    // x is fed as [D, N, T]; tiling the batch D leaves x̂ unchanged, so several cotangent rows stay exact.
    const nodes = [
      makeNode('Transpose', ['xt'], ['x'], { perm: [1n, 2n, 0n] }),
      makeNode('LayerNormalization', ['x', 'scale', 'bias'], ['z'], { epsilon: 1e-3 }),
      makeNode('Transpose', ['z'], ['y'], { perm: [2n, 0n, 1n] }),
    ];
    const params = { xt: randomTensor('float64', [6, 2, 5], 10), scale: randomTensor('float64', [6], 11), bias: randomTensor('float64', [6], 12) };
    for (const wrt of ['scale', 'bias']) expect((await checkModelGradient({ nodes, feeds: params, wrt, rows: 2, epsilon: 1e-6, rules: [LayerNormalization, BackFromLast] })).relativeError).toBeLessThan(1e-6);
  });
});

/** Undoes Transpose [2, 0, 1]. */
const BackFromLast: GradientRule = { opType: 'Transpose', backward: (ctx) => [ctx.op('Transpose', [ctx.grad()!], { perm: [1n, 2n, 0n] })] };
