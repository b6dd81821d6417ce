import { describe, it, expect } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';

describe('Add gradient', () => {
  it('matches finite differences for both operands, with broadcasting', async () => {
    const a = randomTensor('float64', [2, 3, 4], 1);
    const b = randomTensor('float64', [1, 4], 2);
    expect((await checkGradient({ op: 'Add', inputs: [a, b], wrt: 0 })).relativeError).toBeLessThan(1e-7);
    const a1 = randomTensor('float64', [2, 3, 4], 3);
    const b1 = randomTensor('float64', [3, 1], 4);
    expect((await checkGradient({ op: 'Add', inputs: [b1, a1], wrt: 1, rows: 3 })).relativeError).toBeLessThan(1e-7);
  });
});
