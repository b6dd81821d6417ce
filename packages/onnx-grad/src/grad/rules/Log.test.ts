import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Log } from './Log.js';

describe('Log gradient', () => {
  // Away from 0, where ln x has a pole.
  it('matches finite differences (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1, 0.3, 3);
    expect((await checkGradient({ op: 'Log', inputs: [x], wrt: 0, rows: 3, rules: [Log] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 2, 5], 2, 0.3, 3);
    expect((await checkGradient({ op: 'Log', inputs: [x], wrt: 0, rows: 2, rules: [Log] })).relativeError).toBeLessThan(1e-6);
  });
});
