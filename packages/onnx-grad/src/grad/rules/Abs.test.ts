import { describe, expect, it } from 'vitest';
import { type Tensor, tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Abs } from './Abs.js';

/** Uniform in ±[0.2, 1): away from the kink at 0. */
function awayFromZero(shape: number[], seed: number): Tensor<'float64'> {
  const magnitude = randomTensor('float64', shape, seed, 0.2, 1);
  const sign = randomTensor('float64', shape, seed + 100);
  return tensor('float64', shape, magnitude.data.map((v, i) => (sign.data[i]! < 0 ? -v : v)));
}

describe('Abs gradient', () => {
  it('matches finite differences (B = 1, K = 3)', async () => {
    expect((await checkGradient({ op: 'Abs', inputs: [awayFromZero([1, 3, 4], 1)], wrt: 0, rows: 3, rules: [Abs] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences with K × B batching (B = 2, K = 2)', async () => {
    expect((await checkGradient({ op: 'Abs', inputs: [awayFromZero([2, 2, 5], 2)], wrt: 0, rows: 2, rules: [Abs] })).relativeError).toBeLessThan(1e-6);
  });

  it('gives 0 at x = 0, as PyTorch (grad · sign(x))', async () => {
    const x = tensor('float64', [1, 6], Float64Array.from([-0.7, 0, 0.4, 0, -0.2, 0.9]));
    const { analytic, numeric } = await checkGradient({ op: 'Abs', inputs: [x], wrt: 0, rows: 2, rules: [Abs] });
    for (let k = 0; k < 2; k++) {
      for (const j of [1, 3]) expect(Math.abs(analytic[k * 6 + j]!)).toBe(0);
      for (const j of [0, 2, 4, 5]) expect(analytic[k * 6 + j]).toBeCloseTo(numeric[k * 6 + j]!, 8);
    }
  });
});
