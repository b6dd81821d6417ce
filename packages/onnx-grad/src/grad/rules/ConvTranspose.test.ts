import { describe, it, expect } from 'vitest';
import { type AttributeInput, makeNode } from '../../onnx/build.js';
import { type Tensor, tensor } from '../../tensor.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { ConvTranspose } from './ConvTranspose.js';
import { Reshape } from './Reshape.js';

// onnxruntime's CPU ConvTranspose and Conv are float32 only: central differences with ε = 1e-2, tolerance 2e-3.
const check = async (inputs: (Tensor | null)[], attributes: Record<string, AttributeInput>, rows = 2) =>
  (await checkGradient({ op: 'ConvTranspose', inputs, wrt: 0, attributes, rows, epsilon: 1e-2, rules: [ConvTranspose] })).relativeError;

/** Transpose [1, 0, 2, 3] is its own inverse. */
const SwapBatchAndChannels: GradientRule = { opType: 'Transpose', backward: (ctx) => [ctx.op('Transpose', [ctx.grad()!], { perm: [1n, 0n, 2n, 3n] })] };
const rules = [ConvTranspose, SwapBatchAndChannels, Reshape];

describe('ConvTranspose gradient', () => {
  it('w.r.t. X: 2-D, stride 2, pads, output_padding, bias', async () => {
    const w = randomTensor('float32', [3, 4, 3, 3], 2);
    const b = randomTensor('float32', [4], 3);
    expect(await check([randomTensor('float32', [1, 3, 4, 5], 1), w, b], { strides: [2n, 2n], pads: [1n, 1n, 1n, 1n], output_padding: [1n, 0n] })).toBeLessThan(2e-3);
    expect(await check([randomTensor('float32', [2, 3, 4, 5], 4), w, b], { strides: [2n, 3n], pads: [0n, 1n, 2n, 0n], output_padding: [1n, 2n] }, 3)).toBeLessThan(2e-3);
  });

  it('w.r.t. X: dilation 2, groups 2, depthwise, 1-D', async () => {
    const x = randomTensor('float32', [2, 4, 5, 4], 5);
    expect(await check([x, randomTensor('float32', [4, 3, 3, 3], 6), null], { dilations: [2n, 2n], strides: [1n, 2n], pads: [1n, 2n, 1n, 0n] })).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [4, 3, 3, 2], 7), null], { group: 2n, strides: [2n, 2n], pads: [1n, 0n, 1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [4, 1, 3, 3], 8), randomTensor('float32', [4], 9)], { group: 4n, strides: [2n, 2n], pads: [1n, 1n, 1n, 1n], output_padding: [1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([randomTensor('float32', [2, 3, 6], 10), randomTensor('float32', [3, 2, 4], 11), null], { strides: [3n], pads: [2n, 1n], dilations: [2n] })).toBeLessThan(2e-3);
  });

  it('w.r.t. X: output_shape, auto_pad SAME_UPPER / SAME_LOWER / VALID (even total padding)', async () => {
    const x = randomTensor('float32', [2, 2, 4, 3], 12);
    const w = randomTensor('float32', [2, 3, 4, 3], 13);
    expect(await check([x, w, null], { strides: [2n, 2n], output_shape: [6n, 5n] })).toBeLessThan(2e-3);
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER']) expect(await check([x, w, null], { auto_pad: autoPad, strides: [2n, 1n] })).toBeLessThan(2e-3);
    expect(await check([x, w, null], { auto_pad: 'VALID', strides: [2n, 2n] })).toBeLessThan(2e-3);
  });

  it('fails loudly when the split of the padding is ambiguous', async () => {
    const x = randomTensor('float32', [1, 2, 4, 3], 14);
    await expect(check([x, randomTensor('float32', [2, 3, 3, 3], 15), null], { strides: [2n, 2n], output_shape: [6n, 5n] })).rejects.toThrow(/output_shape \[.*\] with a total padding of \[3, 2\]/);
  });

  it('w.r.t. W and B (one batch item holding the whole weight), groups 1 and 2', async () => {
    const x = randomTensor('float32', [2, 4, 4, 5], 16);
    for (const group of [1, 2]) {
      const nodes = [
        makeNode('Reshape', ['pw', 'wshape'], ['w']),
        makeNode('Reshape', ['pb', 'bshape'], ['b']),
        makeNode('ConvTranspose', ['x', 'w', 'b'], ['c'], { group: BigInt(group), strides: [2n, 1n], pads: [1n, 0n, 0n, 1n], dilations: [1n, 2n], output_padding: [1n, 0n] }),
        makeNode('Transpose', ['c'], ['t'], { perm: [1n, 0n, 2n, 3n] }),
        makeNode('Reshape', ['t', 'yshape'], ['y']),
      ];
      // Out: [2, 6, 9, 6]. At batch 2 the weight holds twice the output channels, so the model is valid at both probes.
      const shapes = {
        wshape: tensor('int64', [4], BigInt64Array.from([4n, -1n, 3n, 2n])),
        bshape: tensor('int64', [1], BigInt64Array.from([-1n])),
        yshape: tensor('int64', [2], BigInt64Array.from([-1n, 6n * 2n * 9n * 6n])),
      };
      const params = { pw: randomTensor('float32', [1, 4 * (6 / group) * 3 * 2], 17), pb: randomTensor('float32', [1, 6], 18) };
      expect((await checkModelGradient({ nodes, feeds: params, initializers: { x, ...shapes }, wrt: 'pw', rows: 1, epsilon: 1e-2, rules })).relativeError).toBeLessThan(2e-3);
      expect((await checkModelGradient({ nodes, feeds: params, initializers: { x, ...shapes }, wrt: 'pb', rows: 1, epsilon: 1e-2, rules })).relativeError).toBeLessThan(2e-3);
    }
  });
});
