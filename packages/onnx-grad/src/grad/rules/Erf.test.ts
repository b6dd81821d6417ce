import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Erf } from './Erf.js';

// float32: onnxruntime's CPU provider has no double kernel for Erf ("Could not find an implementation for Erf(13)").
describe('Erf gradient', () => {
  it('matches finite differences (B = 1, K = 3)', async () => {
    const x = randomTensor('float32', [1, 3, 4], 1, -2, 2);
    expect((await checkGradient({ op: 'Erf', inputs: [x], wrt: 0, rows: 3, epsilon: 1e-3, rules: [Erf] })).relativeError).toBeLessThan(2e-3);
  });

  it('matches finite differences with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float32', [2, 2, 5], 2, -2, 2);
    expect((await checkGradient({ op: 'Erf', inputs: [x], wrt: 0, rows: 2, epsilon: 1e-3, rules: [Erf] })).relativeError).toBeLessThan(2e-3);
  });
});
