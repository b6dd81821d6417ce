import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Sqrt } from './Sqrt.js';

describe('Sqrt gradient', () => {
  // Away from 0, where √x is not differentiable.
  it('matches finite differences (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1, 0.3, 3);
    expect((await checkGradient({ op: 'Sqrt', inputs: [x], wrt: 0, rows: 3, rules: [Sqrt] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 2, 5], 2, 0.3, 3);
    expect((await checkGradient({ op: 'Sqrt', inputs: [x], wrt: 0, rows: 2, rules: [Sqrt] })).relativeError).toBeLessThan(1e-6);
  });
});
