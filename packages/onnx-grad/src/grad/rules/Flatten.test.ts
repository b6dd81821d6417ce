import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Flatten } from './Flatten.js';

describe('Flatten gradient', () => {
  it('matches finite differences', async () => {
    const x = randomTensor('float64', [2, 3, 2, 2], 1);
    expect((await checkGradient({ op: 'Flatten', inputs: [x], wrt: 0, rules: [Flatten] })).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 4, 3], 2);
    expect((await checkGradient({ op: 'Flatten', inputs: [x1], wrt: 0, rows: 3, attributes: { axis: 1n }, rules: [Flatten] })).relativeError).toBeLessThan(1e-7);
  });
});
