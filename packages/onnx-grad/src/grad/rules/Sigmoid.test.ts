import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Sigmoid } from './Sigmoid.js';

describe('Sigmoid gradient', () => {
  it('matches finite differences (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1, -3, 3);
    expect((await checkGradient({ op: 'Sigmoid', inputs: [x], wrt: 0, rows: 3, rules: [Sigmoid] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 2, 5], 2, -3, 3);
    expect((await checkGradient({ op: 'Sigmoid', inputs: [x], wrt: 0, rows: 2, rules: [Sigmoid] })).relativeError).toBeLessThan(1e-6);
  });
});
