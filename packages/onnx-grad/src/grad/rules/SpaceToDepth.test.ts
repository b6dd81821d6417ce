import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { SpaceToDepth } from './SpaceToDepth.js';

describe('SpaceToDepth gradient', () => {
  it('matches finite differences', async () => {
    const x = randomTensor('float64', [2, 2, 4, 6], 1);
    expect((await checkGradient({ op: 'SpaceToDepth', inputs: [x], wrt: 0, attributes: { blocksize: 2n }, rules: [SpaceToDepth] })).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 1, 3, 6], 2);
    expect((await checkGradient({ op: 'SpaceToDepth', inputs: [x1], wrt: 0, rows: 3, attributes: { blocksize: 3n }, rules: [SpaceToDepth] })).relativeError).toBeLessThan(1e-7);
  });
});
