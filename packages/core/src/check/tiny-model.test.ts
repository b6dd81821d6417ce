import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { type Tensor, maxRelativeError } from '@envision/onnx-grad';
import { seededTensor, tinyCheckModel } from './tiny-model.js';
import { handForward, handGradient } from './tiny-model.test-support.js';

describe('tinyCheckModel', () => {
  it('computes y = W2ᵀ·mean(tanh(conv(x))) as plain loops do, and its vjp equals the hand-written gradient', async () => {
    const tiny = await tinyCheckModel();
    try {
      const x = tiny.inputs.x as Tensor<'float32'>;
      expect(x.shape).toEqual([1, 3, 8, 8]);
      const y = (await tiny.model.run(tiny.inputs, ['y'])).y!;
      expect(maxRelativeError(y.data as Float32Array, handForward(x.data))).toBeLessThan(1e-5);
      const target = seededTensor([3, 4], 9);
      const { gradient } = await tiny.model.vjp(tiny.inputs, 'y', 'x', target);
      const expected = handGradient({ model: tiny.model, inputs: tiny.inputs, wrt: 'x', of: 'y', target, options: {} });
      expect(maxRelativeError(gradient.data, expected.data)).toBeLessThan(1e-5);
    } finally {
      await tiny.dispose();
    }
  });

  it('bends: tanh is far from linear at its input, so a method that drops the nonlinearity would show', async () => {
    const tiny = await tinyCheckModel();
    const x = tiny.inputs.x as Tensor<'float32'>;
    const half = Float32Array.from(x.data, (v) => v / 2);
    const [full, halved] = [handForward(x.data), handForward(half)];
    await tiny.dispose();
    expect(maxRelativeError(halved.map((v) => 2 * v), full)).toBeGreaterThan(1e-2);
  });

  it('removes its temporary folder on dispose', async () => {
    const tiny = await tinyCheckModel();
    expect(existsSync(tiny.model.path)).toBe(true);
    await tiny.dispose();
    expect(existsSync(tiny.model.path)).toBe(false);
  });

  it('seededTensor repeats its values for a seed and stays within its bounds', () => {
    const a = seededTensor([2, 5], 3, -0.5, 0.25);
    expect([...a.data]).toEqual([...seededTensor([2, 5], 3, -0.5, 0.25).data]);
    expect(a.data.every((v) => v >= -0.5 && v < 0.25)).toBe(true);
    expect([...a.data]).not.toEqual([...seededTensor([2, 5], 4, -0.5, 0.25).data]);
  });
});
