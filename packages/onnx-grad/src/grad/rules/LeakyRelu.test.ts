import { describe, expect, it } from 'vitest';
import { type Tensor, tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { LeakyRelu } from './LeakyRelu.js';

/** Uniform in ±[0.2, 1): away from the kink at 0. */
function awayFromZero(shape: number[], seed: number): Tensor<'float64'> {
  const magnitude = randomTensor('float64', shape, seed, 0.2, 1);
  const sign = randomTensor('float64', shape, seed + 100);
  return tensor('float64', shape, magnitude.data.map((v, i) => (sign.data[i]! < 0 ? -v : v)));
}

describe('LeakyRelu gradient', () => {
  it('matches finite differences with the default alpha (B = 1, K = 3)', async () => {
    expect((await checkGradient({ op: 'LeakyRelu', inputs: [awayFromZero([1, 3, 4], 1)], wrt: 0, rows: 3, rules: [LeakyRelu] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences with alpha = 0.3 and K × B batching (B = 2, K = 2)', async () => {
    const check = { op: 'LeakyRelu', inputs: [awayFromZero([2, 2, 5], 2)], wrt: 0, rows: 2, attributes: { alpha: 0.3 }, rules: [LeakyRelu] };
    expect((await checkGradient(check)).relativeError).toBeLessThan(1e-6);
  });

  it('uses the slope alpha at x = 0, as PyTorch (x > 0 ? 1 : alpha)', async () => {
    // At 0 the central difference sees the mean of both slopes, (1 + α)/2, so the analytic value is 2α/(1 + α) of it.
    const alpha = 0.25;
    const x = tensor('float64', [1, 4], Float64Array.from([-0.6, 0, 0.5, 0]));
    const { analytic, numeric } = await checkGradient({ op: 'LeakyRelu', inputs: [x], wrt: 0, rows: 2, attributes: { alpha }, rules: [LeakyRelu] });
    for (let k = 0; k < 2; k++) {
      for (const j of [1, 3]) expect(analytic[k * 4 + j]).toBeCloseTo((numeric[k * 4 + j]! * 2 * alpha) / (1 + alpha), 8);
      for (const j of [0, 2]) expect(analytic[k * 4 + j]).toBeCloseTo(numeric[k * 4 + j]!, 8);
    }
  });
});
