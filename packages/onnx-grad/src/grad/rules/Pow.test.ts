import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Pow } from './Pow.js';

describe('Pow gradient', () => {
  it('matches finite differences for the base, with a broadcast exponent (B = 1, K = 3)', async () => {
    const base = randomTensor('float64', [1, 3, 4], 1, 0.5, 2);
    const exponent = randomTensor('float64', [4], 2, -1.5, 2.5);
    expect((await checkGradient({ op: 'Pow', inputs: [base, exponent], wrt: 0, rows: 3, rules: [Pow] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences for the exponent, with a broadcast base (B = 2, K = 2)', async () => {
    const base = randomTensor('float64', [3, 1], 3, 0.5, 2);
    const exponent = randomTensor('float64', [2, 3, 4], 4, -1.5, 2.5);
    expect((await checkGradient({ op: 'Pow', inputs: [base, exponent], wrt: 1, rows: 2, rules: [Pow] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences for a negative base and a constant scalar exponent 2 (B = 2, K = 3)', async () => {
    const base = randomTensor('float64', [2, 2, 5], 5, -2, 2);
    const two = tensor('float64', [], Float64Array.of(2));
    expect((await checkGradient({ op: 'Pow', inputs: [base, two], wrt: 0, rows: 3, rules: [Pow] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences for an int64 exponent (B = 2, K = 2)', async () => {
    const base = randomTensor('float64', [2, 3, 2], 6, -2, 2);
    const three = tensor('int64', [2], BigInt64Array.of(3n, 2n));
    expect((await checkGradient({ op: 'Pow', inputs: [base, three], wrt: 0, rows: 2, rules: [Pow] })).relativeError).toBeLessThan(1e-6);
  });

  it('gives the exponent no gradient where the base is 0, as PyTorch', async () => {
    // 0^(b ± ε) = 0 for b > 0, so the finite difference is 0 too; unmasked, y · ln a would be 0 · −∞ = NaN.
    const base = tensor('float64', [4], Float64Array.from([0, 0.5, 0, 1.5]));
    const exponent = randomTensor('float64', [2, 4], 7, 0.5, 2);
    const { relativeError, analytic } = await checkGradient({ op: 'Pow', inputs: [base, exponent], wrt: 1, rows: 2, rules: [Pow] });
    expect(relativeError).toBeLessThan(1e-6);
    for (let i = 0; i < analytic.length; i += 2) expect(Math.abs(analytic[i]!)).toBe(0);
  });
});
