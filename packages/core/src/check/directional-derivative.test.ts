import { describe, expect, it } from 'vitest';
import { type DifferentiableModel, SeededRandom, type Tensor, tensor } from '@envision/onnx-grad';
import { direction, directionalDerivative } from './directional-derivative.js';
import { seededTensor, tinyCheckModel } from './tiny-model.js';
import { handForward, handGradient } from './tiny-model.test-support.js';

/** The model with its vjp gradients passed through `change`. */
function withGradient(m: DifferentiableModel, change: (g: Float32Array) => Float32Array): DifferentiableModel {
  return {
    inputs: m.inputs,
    outputs: m.outputs,
    run: (f, n) => m.run(f, n),
    vjp: async (f, of, wrt, c) => {
      const r = await m.vjp(f, of, wrt, c);
      return { ...r, gradient: tensor('float32', r.gradient.shape, change(r.gradient.data)) };
    },
  };
}

describe('direction', () => {
  it('is the row sum of the gradients scaled to a largest entry of 1, plus 0.1 × seeded noise', () => {
    const g = tensor('float32', [1, 2, 3], new Float32Array([1, -2, 0, 3, 0, 1]));
    const random = new SeededRandom(4);
    const noise = [0, 1, 2].map(() => 0.1 * (2 * random.uniform() - 1));
    expect([...direction(g, 4)].map((v, i) => v - noise[i]!)).toEqual([4 / 4, -2 / 4, 1 / 4].map((v) => expect.closeTo(v, 12)));
    expect([...direction(tensor('float32', [1, 1, 3], new Float32Array(3)), 4)]).toEqual(noise.map((v) => expect.closeTo(v, 12)));
  });
});

describe('directionalDerivative', () => {
  it('gives ⟨vjp(c_k), v⟩, and central differences that agree with a float64 reference', async () => {
    const tiny = await tinyCheckModel();
    try {
      const c = seededTensor([2, 4], 5);
      const d = await directionalDerivative(tiny.model, tiny.inputs, 'y', 'x', c, { seed: 7, step: 1e-3 });
      const g = handGradient({ model: tiny.model, inputs: tiny.inputs, wrt: 'x', of: 'y', target: c, options: {} });
      const v = direction(tensor('float32', [1, ...g.shape], g.data), 7);
      for (let k = 0; k < 2; k++) {
        let expected = 0;
        for (let i = 0; i < 192; i++) expected += g.data[k * 192 + i]! * v[i]!;
        expect(d.analytic[k]).toBeCloseTo(expected, 5);
      }
      // The same central difference through the hand-written forward pass in float64: float32 rounding of the ONNX
      // forward pass leaves ~1e-4 of the largest value at this step.
      const x = tiny.inputs.x!.data as Float32Array;
      const h = d.step;
      const [plus, minus] = [1, -1].map((s) => handForward(Float32Array.from(x, (value, i) => value + s * h * v[i]!)));
      for (let k = 0; k < 2; k++) {
        let expected = 0;
        for (let o = 0; o < 4; o++) expected += (c.data[k * 4 + o]! * (plus![o]! - minus![o]!)) / (2 * h);
        expect(Math.abs(d.numeric[k]! - expected)).toBeLessThan(1e-3 * Math.max(...d.numeric.map(Math.abs)));
      }
      expect(d.step).toBe(1e-3);
    } finally {
      await tiny.dispose();
    }
  });

  it('keeps the best of four steps, scaled with the input: ~1e-6 on the smooth default model', async () => {
    const tiny = await tinyCheckModel();
    try {
      const x = tiny.inputs.x as Tensor<'float32'>;
      const big = { x: tensor('float32', x.shape, Float32Array.from(x.data, (v) => 4 * v)) };
      const d = await directionalDerivative(tiny.model, big, 'y', 'x', seededTensor([2, 4], 5));
      expect([1e-2, 1e-3, 1e-4, 1e-5].map((s) => s * Math.max(...big.x.data.map(Math.abs)))).toContainEqual(d.step);
      expect(d.relativeError).toBeLessThan(1e-4);
    } finally {
      await tiny.dispose();
    }
  });

  it('sees a vjp off by a factor, and a vjp of zeros', async () => {
    const tiny = await tinyCheckModel();
    try {
      const c = seededTensor([2, 4], 5);
      const halved = await directionalDerivative(withGradient(tiny.model, (g) => g.map((v) => v / 2)), tiny.inputs, 'y', 'x', c);
      expect(halved.relativeError).toBeCloseTo(0.5, 2);
      const zero = await directionalDerivative(withGradient(tiny.model, (g) => g.map(() => 0)), tiny.inputs, 'y', 'x', c);
      expect(zero.relativeError).toBeCloseTo(1, 6);
    } finally {
      await tiny.dispose();
    }
  });
});
