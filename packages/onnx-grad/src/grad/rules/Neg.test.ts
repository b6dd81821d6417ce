import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Neg } from './Neg.js';

describe('Neg gradient', () => {
  it('matches finite differences (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1, -2, 2);
    expect((await checkGradient({ op: 'Neg', inputs: [x], wrt: 0, rows: 3, rules: [Neg] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 2, 5], 2, -2, 2);
    expect((await checkGradient({ op: 'Neg', inputs: [x], wrt: 0, rows: 2, rules: [Neg] })).relativeError).toBeLessThan(1e-6);
  });
});
