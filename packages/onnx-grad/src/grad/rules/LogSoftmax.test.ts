import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { LogSoftmax } from './LogSoftmax.js';

describe('LogSoftmax gradient', () => {
  it('matches finite differences along the default last axis (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1, -2, 2);
    expect((await checkGradient({ op: 'LogSoftmax', inputs: [x], wrt: 0, rows: 3, rules: [LogSoftmax] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences along axis 1 with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 3, 4], 2, -2, 2);
    expect((await checkGradient({ op: 'LogSoftmax', inputs: [x], wrt: 0, rows: 2, attributes: { axis: 1n }, rules: [LogSoftmax] })).relativeError).toBeLessThan(1e-6);
  });

  it('matches finite differences along axis −2 of a rank-4 input, at opset 13 (B = 2, K = 3)', async () => {
    const x = randomTensor('float64', [2, 2, 3, 2], 3, -2, 2);
    const check = { op: 'LogSoftmax', inputs: [x], wrt: 0, rows: 3, opset: 13, attributes: { axis: -2n }, rules: [LogSoftmax] };
    expect((await checkGradient(check)).relativeError).toBeLessThan(1e-6);
  });
});
