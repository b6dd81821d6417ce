import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Mean } from './Mean.js';

// float32: onnxruntime's CPU provider has no double kernel for Mean ("Could not find an implementation for Mean(13)").
describe('Mean gradient', () => {
  it('matches finite differences for one of three broadcast inputs (B = 1, K = 3)', async () => {
    const inputs = [randomTensor('float32', [4], 1), randomTensor('float32', [1, 3, 4], 2), randomTensor('float32', [3, 1], 3)];
    expect((await checkGradient({ op: 'Mean', inputs, wrt: 1, rows: 3, epsilon: 1e-2, rules: [Mean] })).relativeError).toBeLessThan(2e-3);
  });

  it('matches finite differences for an input that is itself broadcast, with K × B batching (B = 2, K = 2)', async () => {
    const inputs = [randomTensor('float32', [2, 1, 4], 4), randomTensor('float32', [3, 4], 5)];
    expect((await checkGradient({ op: 'Mean', inputs, wrt: 0, rows: 2, epsilon: 1e-2, rules: [Mean] })).relativeError).toBeLessThan(2e-3);
  });

  it('matches finite differences for a single input (B = 2, K = 2)', async () => {
    const x = randomTensor('float32', [2, 3], 6);
    expect((await checkGradient({ op: 'Mean', inputs: [x], wrt: 0, rows: 2, epsilon: 1e-2, rules: [Mean] })).relativeError).toBeLessThan(2e-3);
  });
});
