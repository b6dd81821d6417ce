import { describe, it, expect } from 'vitest';
import { type AttributeInput, makeNode } from '../../onnx/build.js';
import { type Tensor, tensor } from '../../tensor.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { Conv } from './Conv.js';
import { Reshape } from './Reshape.js';

// onnxruntime's CPU Conv and ConvTranspose are float32 only: central differences with ε = 1e-2, tolerance 2e-3.
const check = async (inputs: (Tensor | null)[], attributes: Record<string, AttributeInput>, wrt = 0, rows = 2) =>
  (await checkGradient({ op: 'Conv', inputs, wrt, attributes, rows, epsilon: 1e-2, rules: [Conv] })).relativeError;

/** Transpose [1, 0, 2, 3] is its own inverse. */
const SwapBatchAndChannels: GradientRule = { opType: 'Transpose', backward: (ctx) => [ctx.op('Transpose', [ctx.grad()!], { perm: [1n, 0n, 2n, 3n] })] };
const rules = [Conv, SwapBatchAndChannels, Reshape];

describe('Conv gradient', () => {
  it('w.r.t. X: 2-D, stride 2, pad 1, odd sizes, with bias', async () => {
    const w = randomTensor('float32', [4, 3, 3, 3], 2);
    const b = randomTensor('float32', [4], 3);
    expect(await check([randomTensor('float32', [1, 3, 7, 8], 1), w, b], { strides: [2n, 2n], pads: [1n, 1n, 1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([randomTensor('float32', [2, 3, 7, 8], 4), w, b], { strides: [2n, 2n], pads: [1n, 1n, 1n, 1n] }, 0, 3)).toBeLessThan(2e-3);
  });

  it('w.r.t. X: output_padding needed (stride 3, and stride 2 without pads), asymmetric pads', async () => {
    const w = randomTensor('float32', [2, 3, 3, 2], 5);
    expect(await check([randomTensor('float32', [1, 3, 8, 9], 6), w, null], { strides: [3n, 2n], pads: [1n, 0n, 1n, 0n] })).toBeLessThan(2e-3);
    expect(await check([randomTensor('float32', [2, 3, 8, 8], 7), w, null], { strides: [2n, 2n] })).toBeLessThan(2e-3);
    expect(await check([randomTensor('float32', [1, 3, 6, 7], 8), w, null], { strides: [2n, 3n], pads: [0n, 2n, 1n, 0n] })).toBeLessThan(2e-3);
  });

  it('w.r.t. X: dilation 2, groups 2, depthwise, 1-D', async () => {
    const x = randomTensor('float32', [2, 4, 9, 8], 9);
    expect(await check([x, randomTensor('float32', [3, 4, 3, 3], 10), null], { dilations: [2n, 2n], pads: [1n, 2n, 1n, 0n] })).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [6, 2, 3, 3], 11), null], { group: 2n, strides: [2n, 1n], pads: [1n, 1n, 1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [4, 1, 3, 3], 12), randomTensor('float32', [4], 13)], { group: 4n, strides: [2n, 2n], dilations: [1n, 2n], pads: [1n, 1n, 1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([randomTensor('float32', [2, 3, 11], 14), randomTensor('float32', [4, 3, 4], 15), null], { strides: [3n], pads: [2n, 1n] })).toBeLessThan(2e-3);
  });

  it('w.r.t. X at stride 1 (a Conv by the flipped weights): 3×3, 1×1, asymmetric pads, dilation, groups, depthwise', async () => {
    const x = randomTensor('float32', [2, 4, 7, 6], 24);
    expect(await check([x, randomTensor('float32', [5, 4, 3, 3], 25), randomTensor('float32', [5], 26)], { pads: [1n, 1n, 1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [6, 4, 1, 1], 27), null], {}, 0, 3)).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [3, 4, 2, 3], 28), null], { pads: [0n, 2n, 1n, 0n], dilations: [2n, 1n] })).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [6, 2, 3, 2], 29), null], { group: 2n, pads: [1n, 0n, 1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([x, randomTensor('float32', [8, 1, 3, 3], 30), null], { group: 4n, pads: [1n, 1n, 1n, 1n] })).toBeLessThan(2e-3);
    expect(await check([randomTensor('float32', [2, 3, 11], 31), randomTensor('float32', [4, 3, 4], 32), null], { pads: [2n, 1n], dilations: [2n] })).toBeLessThan(2e-3);
    // pads beyond the dilated kernel would make the full padding negative: back to ConvTranspose.
    expect(await check([x, randomTensor('float32', [3, 4, 2, 2], 33), null], { pads: [2n, 0n, 0n, 2n] })).toBeLessThan(2e-3);
  });

  it('w.r.t. X: auto_pad SAME_UPPER, SAME_LOWER, VALID', async () => {
    const x = randomTensor('float32', [2, 2, 7, 6], 16);
    const w = randomTensor('float32', [3, 2, 4, 3], 17);
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID']) {
      expect(await check([x, w, null], { auto_pad: autoPad, strides: [2n, 1n] })).toBeLessThan(2e-3);
    }
  });

  it('w.r.t. W and B (through a channel-first transpose)', async () => {
    const x = randomTensor('float32', [2, 4, 7, 6], 18);
    const conv = (inputs: string[], attributes: Record<string, AttributeInput>) => [
      makeNode('Conv', inputs, ['c'], attributes),
      makeNode('Transpose', ['c'], ['y'], { perm: [1n, 0n, 2n, 3n] }),
    ];
    const w = (shape: number[], seed: number) => ({ w: randomTensor('float32', shape, seed) });
    expect((await checkModelGradient({ nodes: conv(['x', 'w'], { strides: [2n, 2n], pads: [1n, 0n, 0n, 1n], dilations: [1n, 2n] }), feeds: w([3, 4, 3, 3], 19), initializers: { x }, wrt: 'w', rows: 2, epsilon: 1e-2, rules })).relativeError).toBeLessThan(2e-3);
    expect((await checkModelGradient({ nodes: conv(['x', 'w'], { strides: [3n, 2n] }), feeds: w([3, 4, 3, 2], 20), initializers: { x }, wrt: 'w', rows: 2, epsilon: 1e-2, rules })).relativeError).toBeLessThan(2e-3);
    const wb = { ...w([3, 4, 3, 3], 21), b: randomTensor('float32', [3], 22) };
    expect((await checkModelGradient({ nodes: conv(['x', 'w', 'b'], { pads: [1n, 1n, 1n, 1n] }), feeds: wb, initializers: { x }, wrt: 'b', rows: 2, epsilon: 1e-2, rules })).relativeError).toBeLessThan(2e-3);
    expect((await checkModelGradient({ nodes: conv(['x', 'w', 'b'], { pads: [1n, 1n, 1n, 1n] }), feeds: wb, initializers: { x }, wrt: 'w', rows: 3, epsilon: 1e-2, rules })).relativeError).toBeLessThan(2e-3);
  });

  it('w.r.t. a grouped W (one batch item holding the whole weight)', async () => {
    // Batching a grouped weight along its out-channels would move channels between groups: the weight is one item.
    const x = randomTensor('float32', [2, 4, 7, 6], 23);
    const nodes = [
      makeNode('Reshape', ['p', 'wshape'], ['w']),
      makeNode('Conv', ['x', 'w'], ['c'], { group: 2n, pads: [1n, 1n, 1n, 1n], strides: [2n, 1n] }),
      makeNode('Transpose', ['c'], ['t'], { perm: [1n, 0n, 2n, 3n] }),
      makeNode('Reshape', ['t', 'yshape'], ['y']),
    ];
    const shapes = { wshape: tensor('int64', [4], BigInt64Array.from([-1n, 2n, 3n, 3n])), yshape: tensor('int64', [2], BigInt64Array.from([-1n, 4n * 2n * 4n * 6n])) };
    expect((await checkModelGradient({ nodes, feeds: { p: randomTensor('float32', [1, 4, 2, 3, 3], 24) }, initializers: { x, ...shapes }, wrt: 'p', rows: 1, epsilon: 1e-2, rules })).relativeError).toBeLessThan(2e-3);
  });

  it('fails loudly when SAME padding would be negative', async () => {
    await expect(check([randomTensor('float32', [1, 1, 7, 7], 1), randomTensor('float32', [1, 1, 1, 1], 2), null], { auto_pad: 'SAME_UPPER', strides: [4n, 4n] })).rejects.toThrow(/auto_pad SAME_UPPER gives a negative padding/);
  });
});
