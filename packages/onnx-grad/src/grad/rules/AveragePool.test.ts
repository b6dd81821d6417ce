import { describe, it, expect } from 'vitest';
import type { AttributeInput } from '../../onnx/build.js';
import type { Tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { AveragePool } from './AveragePool.js';

// onnxruntime's CPU AveragePool and ConvTranspose are float32 only: ε = 1e-2, tolerance 2e-3 (the pool is linear, so
// the differences are exact up to float32 rounding).
const check = async (x: Tensor, attributes: Record<string, AttributeInput>, rows = 2, opset = 17) =>
  (await checkGradient({ op: 'AveragePool', inputs: [x], wrt: 0, attributes, opset, rows, epsilon: 1e-2, rules: [AveragePool] })).relativeError;

describe('AveragePool gradient', () => {
  it('kernel 3, stride 2, pad 1, count_include_pad 0 and 1', async () => {
    for (const count of [0n, 1n]) {
      const attributes = { kernel_shape: [3n, 3n], strides: [2n, 2n], pads: [1n, 1n, 1n, 1n], count_include_pad: count };
      expect(await check(randomTensor('float32', [1, 3, 9, 8], 1), attributes)).toBeLessThan(2e-3);
      expect(await check(randomTensor('float32', [2, 2, 8, 7], 2), attributes, 3)).toBeLessThan(2e-3);
    }
  });

  it('ceil_mode with windows over the padding, asymmetric pads, 1-D, SAME_UPPER, no padding', async () => {
    const x = randomTensor('float32', [2, 2, 9, 8], 3);
    for (const count of [0n, 1n]) {
      expect(await check(x, { kernel_shape: [3n, 2n], strides: [2n, 3n], ceil_mode: 1n, pads: [1n, 0n, 1n, 1n], count_include_pad: count })).toBeLessThan(2e-3);
      expect(await check(x, { kernel_shape: [2n, 3n], strides: [3n, 2n], ceil_mode: 1n, count_include_pad: count })).toBeLessThan(2e-3);
      expect(await check(randomTensor('float32', [2, 3, 11], 4), { kernel_shape: [4n], strides: [3n], pads: [2n, 1n], count_include_pad: count })).toBeLessThan(2e-3);
      expect(await check(x, { kernel_shape: [3n, 2n], strides: [2n, 2n], auto_pad: 'SAME_UPPER', count_include_pad: count }, 2, 13)).toBeLessThan(2e-3);
    }
    expect(await check(x, { kernel_shape: [2n, 2n], strides: [2n, 2n] })).toBeLessThan(2e-3);
  });
});
