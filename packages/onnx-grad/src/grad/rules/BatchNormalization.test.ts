import { describe, it, expect } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import type { Tensor } from '../../tensor.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { BatchNormalization } from './BatchNormalization.js';

const stats = (c: number, seed: number) => [
  randomTensor('float64', [c], seed),
  randomTensor('float64', [c], seed + 1),
  randomTensor('float64', [c], seed + 2),
  randomTensor('float64', [c], seed + 3, 0.5, 1.5),
];

describe('BatchNormalization gradient', () => {
  it('w.r.t. X, inference mode, 4-D and 2-D, opsets 13 and 15', async () => {
    const check = async (x: Tensor, opset: number, rows: number) =>
      (await checkGradient({ op: 'BatchNormalization', inputs: [x, ...stats(x.shape[1]!, 5)], wrt: 0, attributes: { epsilon: 0.01 }, opset, rows, rules: [BatchNormalization] })).relativeError;
    expect(await check(randomTensor('float64', [1, 3, 4, 5], 1), 15, 2)).toBeLessThan(1e-7);
    expect(await check(randomTensor('float64', [2, 3, 4, 5], 2), 13, 3)).toBeLessThan(1e-7);
    expect(await check(randomTensor('float64', [2, 4], 3), 15, 2)).toBeLessThan(1e-7);
  });

  it('w.r.t. scale, B, mean and var (batched along the channels, the model transposing N and C)', async () => {
    // x is fed channel-first [C, N, H, W] so that every parameter's batch axis (C) is the output's first axis.
    const swap = { perm: [1n, 0n, 2n, 3n] };
    const nodes = [makeNode('Transpose', ['xt'], ['x'], swap), makeNode('BatchNormalization', ['x', 'scale', 'b', 'mean', 'var'], ['z'], { epsilon: 0.01 }), makeNode('Transpose', ['z'], ['y'], swap)];
    const [scale, b, mean, variance] = stats(3, 6);
    const params = { xt: randomTensor('float64', [3, 2, 4, 5], 10), scale: scale!, b: b!, mean: mean!, var: variance! };
    for (const wrt of ['scale', 'b', 'mean', 'var']) expect((await checkModelGradient({ nodes, feeds: params, wrt, rows: 2, epsilon: 1e-6, rules: [BatchNormalization, SwapBatchAndChannels] })).relativeError).toBeLessThan(1e-7);
  });

  it('fails loudly in training mode', async () => {
    const x = randomTensor('float64', [2, 3, 4, 5], 1);
    await expect(checkGradient({ op: 'BatchNormalization', inputs: [x, ...stats(3, 5)], wrt: 0, attributes: { training_mode: 1n }, outputs: 3, rules: [BatchNormalization] })).rejects.toThrow(/training_mode 1 is not supported/);
  });
});

/** Transpose [1, 0, 2, 3] is its own inverse. */
const SwapBatchAndChannels: GradientRule = { opType: 'Transpose', backward: (ctx) => [ctx.op('Transpose', [ctx.grad()!], { perm: [1n, 0n, 2n, 3n] })] };
