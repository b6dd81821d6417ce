import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Transpose } from './Transpose.js';

describe('Transpose gradient', () => {
  it('matches finite differences', async () => {
    const x = randomTensor('float64', [2, 3, 4, 5], 1);
    expect((await checkGradient({ op: 'Transpose', inputs: [x], wrt: 0, attributes: { perm: [0n, 3n, 1n, 2n] }, rules: [Transpose] })).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 2, 3, 4], 2);
    expect((await checkGradient({ op: 'Transpose', inputs: [x1], wrt: 0, rows: 3, attributes: { perm: [0n, 2n, 3n, 1n] }, rules: [Transpose] })).relativeError).toBeLessThan(1e-7);
  });
});
