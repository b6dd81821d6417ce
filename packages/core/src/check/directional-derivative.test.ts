import { describe, expect, it } from 'vitest';
import { type DifferentiableModel, SeededRandom, type Tensor, tensor } from '@envision/onnx-grad';
import { directionalDerivative } from './directional-derivative.js';
import { seededTensor, tinyCheckModel } from './tiny-model.js';
import { handForward, handGradient } from './tiny-model.test-support.js';

describe('directionalDerivative', () => {
  it('gives ⟨vjp(c_k), v⟩ for the documented direction v, and central differences that agree with it to ~1e-4', async () => {
    const tiny = await tinyCheckModel();
    try {
      const c = seededTensor([2, 4], 5);
      const d = await directionalDerivative(tiny.model, tiny.inputs, 'y', 'x', c, { seed: 7 });
      const random = new SeededRandom(7);
      const v = Float64Array.from({ length: 192 }, () => 2 * random.uniform() - 1);
      const g = handGradient({ model: tiny.model, inputs: tiny.inputs, wrt: 'x', of: 'y', target: c, options: {} });
      for (let k = 0; k < 2; k++) {
        let expected = 0;
        for (let i = 0; i < 192; i++) expected += g.data[k * 192 + i]! * v[i]!;
        expect(d.analytic[k]).toBeCloseTo(expected, 5);
      }
      // The float64 reference: the same central difference through the hand-written forward pass; float32 rounding
      // of the ONNX forward leaves ~2e-5 of the largest value.
      const x = tiny.inputs.x!.data as Float32Array;
      const h = d.step;
      const [plus, minus] = [1, -1].map((s) => handForward(Float32Array.from(x, (value, i) => value + s * h * v[i]!)));
      for (let k = 0; k < 2; k++) {
        let expected = 0;
        for (let o = 0; o < 4; o++) expected += (c.data[k * 4 + o]! * (plus![o]! - minus![o]!)) / (2 * h);
        expect(Math.abs(d.numeric[k]! - expected)).toBeLessThan(1e-4 * Math.max(...d.numeric.map(Math.abs)));
      }
      expect(d.step).toBe(1e-2);
      expect(d.relativeError).toBeLessThan(1e-3);
    } finally {
      await tiny.dispose();
    }
  });

  it('scales the step with the input and sees a vjp that is off by a factor', async () => {
    const tiny = await tinyCheckModel();
    try {
      const m = tiny.model;
      const x = tiny.inputs.x as Tensor<'float32'>;
      const big = { x: tensor('float32', x.shape, Float32Array.from(x.data, (v) => 4 * v)) };
      const halved: DifferentiableModel = {
        inputs: m.inputs,
        outputs: m.outputs,
        run: (f, n) => m.run(f, n),
        vjp: async (f, of, wrt, c) => {
          const r = await m.vjp(f, of, wrt, c);
          return { ...r, gradient: tensor('float32', r.gradient.shape, r.gradient.data.map((v) => v / 2)) };
        },
      };
      const d = await directionalDerivative(halved, big, 'y', 'x', seededTensor([1, 4], 5));
      expect(d.step).toBeCloseTo(1e-2 * Math.max(...big.x.data.map(Math.abs)), 12);
      expect(d.relativeError).toBeCloseTo(0.5, 2);
    } finally {
      await tiny.dispose();
    }
  });
});
