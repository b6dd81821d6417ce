import { describe, it, expect } from 'vitest';
import type { AttributeInput } from '../../onnx/build.js';
import { tensor, type Tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Resize } from './Resize.js';

const scales = (h: number, w: number) => tensor('float32', [4], Float32Array.from([1, 1, h, w]));
const sizes = (h: number, w: number) => tensor('int64', [2], BigInt64Array.from([BigInt(h), BigInt(w)]));

// onnxruntime's CPU Resize has no float64 kernel: ε = 1e-2 and tolerance 2e-3 (the map is linear in X, so the
// differences are exact up to float32 rounding).
async function check(attributes: Record<string, AttributeInput>, by: { scales?: Tensor; sizes?: Tensor }, options: { shape?: number[]; rows?: number; opset?: number } = {}): Promise<number> {
  const x = randomTensor('float32', options.shape ?? [1, 2, 5, 4], 1);
  const inputs = by.sizes ? [x, null, null, by.sizes] : [x, null, by.scales!];
  // Sizes are given for H and W only (`axes`, opset 18), so that the batch can change.
  const opset = options.opset ?? (by.sizes ? 18 : 17);
  const all = by.sizes ? { ...attributes, axes: [2n, 3n] } : attributes;
  return (await checkGradient({ op: 'Resize', inputs, wrt: 0, attributes: all, opset, rows: options.rows ?? 2, epsilon: 1e-2, rules: [Resize] })).relativeError;
}

describe('Resize gradient', () => {
  it('linear, half_pixel: ×2 upsampling, and non-integer scales (scale ≠ out / in)', async () => {
    const linear = { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
    expect(await check(linear, { scales: scales(2, 2) })).toBeLessThan(2e-3);
    expect(await check(linear, { scales: scales(2, 2) }, { shape: [2, 3, 4, 5], rows: 3, opset: 13 })).toBeLessThan(2e-3);
    expect(await check(linear, { scales: scales(1.5, 0.6) })).toBeLessThan(2e-3);
    expect(await check({ mode: 'linear' }, { scales: scales(0.7, 2.3) }, { shape: [2, 2, 7, 3] })).toBeLessThan(2e-3);
  });

  it('linear: align_corners, asymmetric and pytorch_half_pixel, by scales and by sizes', async () => {
    for (const transform of ['align_corners', 'asymmetric', 'pytorch_half_pixel']) {
      const attributes = { mode: 'linear', coordinate_transformation_mode: transform };
      expect(await check(attributes, { scales: scales(1.6, 2) })).toBeLessThan(2e-3);
      expect(await check(attributes, { sizes: sizes(7, 3) }, { shape: [2, 2, 5, 4] })).toBeLessThan(2e-3);
      expect(await check(attributes, { sizes: sizes(1, 6) })).toBeLessThan(2e-3);
    }
  });

  it('nearest: every nearest_mode, with the coordinate transforms torch and others export', async () => {
    expect(await check({ mode: 'nearest' }, { scales: scales(2, 2) })).toBeLessThan(2e-3);
    expect(await check({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, { scales: scales(2, 3) }, { shape: [2, 2, 5, 4], rows: 3 })).toBeLessThan(2e-3);
    expect(await check({ mode: 'nearest', coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_ceil' }, { scales: scales(1.5, 0.5) })).toBeLessThan(2e-3);
    expect(await check({ mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'ceil' }, { sizes: sizes(8, 3) })).toBeLessThan(2e-3);
    expect(await check({ mode: 'nearest', coordinate_transformation_mode: 'pytorch_half_pixel', nearest_mode: 'round_prefer_floor' }, { sizes: sizes(3, 7) })).toBeLessThan(2e-3);
    expect(await check({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'round_prefer_floor' }, { scales: scales(0.5, 1.5) }, { shape: [1, 2, 6, 4] })).toBeLessThan(2e-3);
    // Rounded past the last row (asymmetric ceil of 4.5 for in = 5), clamped back.
    expect(await check({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'ceil' }, { scales: scales(2, 1.5) })).toBeLessThan(2e-3);
  });

  it('fails loudly on cubic and tf_crop_and_resize', async () => {
    await expect(check({ mode: 'cubic' }, { scales: scales(2, 2) })).rejects.toThrow(/mode cubic is not supported/);
    await expect(check({ mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' }, { sizes: sizes(3, 3) })).rejects.toThrow(/coordinate_transformation_mode tf_crop_and_resize is not supported/);
  });
});
