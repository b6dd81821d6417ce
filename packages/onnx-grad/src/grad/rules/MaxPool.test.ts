import { describe, it, expect } from 'vitest';
import type { AttributeInput } from '../../onnx/build.js';
import { tensor, type Tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { MaxPool } from './MaxPool.js';

/** Values 0.05 apart in a random order: no ties, and no perturbation of the finite differences changes an argmax. */
function distinct<D extends 'float32' | 'float64'>(dtype: D, shape: number[], seed: number): Tensor<D> {
  const order = Array.from(randomTensor('float64', shape, seed).data).map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const values = new Array<number>(order.length);
  order.forEach(([, i], rank) => (values[i] = 0.05 * (rank - order.length / 2)));
  return tensor(dtype, shape, (dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values)) as never) as Tensor<D>;
}

const check = async (x: Tensor, attributes: Record<string, AttributeInput>, opset = 17, rows = 2, outputs = 1) =>
  (await checkGradient({ op: 'MaxPool', inputs: [x], wrt: 0, attributes, opset, rows, outputs, epsilon: x.dtype === 'float64' ? 1e-6 : 1e-2, rules: [MaxPool] })).relativeError;

const resnet = { kernel_shape: [3n, 3n], strides: [2n, 2n], pads: [1n, 1n, 1n, 1n] };

describe('MaxPool gradient', () => {
  it('kernel 3, stride 2, pad 1 (overlapping windows, as in ResNet), via ScatterElements (opset ≥ 16)', async () => {
    expect(await check(distinct('float64', [1, 3, 9, 8], 1), resnet)).toBeLessThan(1e-7);
    expect(await check(distinct('float64', [2, 2, 8, 7], 2), resnet, 16, 3)).toBeLessThan(1e-7);
  });

  it('dilations, ceil_mode, asymmetric pads, 1-D, SAME_LOWER, and the forward Indices output reused', async () => {
    const x = distinct('float64', [2, 2, 9, 8], 3);
    expect(await check(x, { kernel_shape: [2n, 3n], strides: [2n, 1n], dilations: [2n, 1n], pads: [0n, 1n, 1n, 0n] })).toBeLessThan(1e-7);
    expect(await check(x, { kernel_shape: [3n, 2n], strides: [2n, 3n], ceil_mode: 1n, pads: [1n, 0n, 0n, 0n] })).toBeLessThan(1e-7);
    expect(await check(distinct('float64', [2, 3, 11], 4), { kernel_shape: [4n], strides: [3n], pads: [2n, 1n] })).toBeLessThan(1e-7);
    expect(await check(x, { kernel_shape: [3n, 3n], strides: [2n, 2n], auto_pad: 'SAME_LOWER' })).toBeLessThan(1e-7);
    // ceil_mode whose last window would start past the input: the runtime drops it, ONNX shape inference keeps it.
    expect(await check(x, { kernel_shape: [3n, 2n], strides: [2n, 3n], ceil_mode: 1n, pads: [1n, 0n, 1n, 1n] })).toBeLessThan(1e-7);
    expect(await check(x, { kernel_shape: [3n, 2n], strides: [2n, 3n], ceil_mode: 1n, pads: [1n, 0n, 1n, 1n] }, 17, 2, 2)).toBeLessThan(1e-7);
    expect(await check(x, resnet, 17, 2, 2)).toBeLessThan(1e-7);
    expect(await check(x, { ...resnet, storage_order: 1n }, 17, 2, 2)).toBeLessThan(1e-7);
  });

  it('before opset 16, through a ConvTranspose of the one-hot window offsets', async () => {
    // onnxruntime's ConvTranspose is float32 only: ε = 1e-2 (values are 0.05 apart), tolerance 2e-3.
    expect(await check(distinct('float32', [1, 3, 9, 8], 5), resnet, 13)).toBeLessThan(2e-3);
    expect(await check(distinct('float32', [2, 2, 9, 8], 6), { kernel_shape: [2n, 3n], strides: [2n, 1n], dilations: [2n, 1n], pads: [0n, 1n, 1n, 0n] }, 15, 3)).toBeLessThan(2e-3);
    expect(await check(distinct('float32', [2, 2, 9, 8], 7), { kernel_shape: [3n, 2n], strides: [2n, 3n], ceil_mode: 1n }, 13)).toBeLessThan(2e-3);
    expect(await check(distinct('float32', [2, 2, 9, 8], 7), { kernel_shape: [3n, 2n], strides: [2n, 3n], ceil_mode: 1n, pads: [1n, 0n, 1n, 1n] }, 13)).toBeLessThan(2e-3);
    expect(await check(distinct('float32', [2, 3, 11], 8), { kernel_shape: [4n], strides: [3n], pads: [2n, 1n] }, 13)).toBeLessThan(2e-3);
    expect(await check(distinct('float32', [1, 2, 8, 7], 9), resnet, 13, 2, 2)).toBeLessThan(2e-3);
  });
});
