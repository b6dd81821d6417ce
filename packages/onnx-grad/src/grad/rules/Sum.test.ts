import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Sum } from './Sum.js';

describe('Sum gradient', () => {
  it('matches finite differences for one of three broadcast inputs (B = 1, K = 3)', async () => {
    const inputs = [randomTensor('float64', [4], 1), randomTensor('float64', [1, 3, 4], 2), randomTensor('float64', [3, 1], 3)];
    expect((await checkGradient({ op: 'Sum', inputs, wrt: 1, rows: 3, rules: [Sum] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences for an input that is itself broadcast, with K × B batching (B = 2, K = 2)', async () => {
    const inputs = [randomTensor('float64', [2, 1, 4], 4), randomTensor('float64', [3, 4], 5)];
    expect((await checkGradient({ op: 'Sum', inputs, wrt: 0, rows: 2, rules: [Sum] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences for a single input (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 3], 6);
    expect((await checkGradient({ op: 'Sum', inputs: [x], wrt: 0, rows: 2, rules: [Sum] })).relativeError).toBeLessThan(1e-7);
  });
});
