import { describe, it, expect } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { GlobalMaxPool } from './GlobalMaxPool.js';

// onnxruntime's CPU GlobalMaxPool is float32 only: ε = 1e-3 (the maxima of random inputs lead by more than 2ε),
// tolerance 2e-3.
describe('GlobalMaxPool gradient', () => {
  it('matches finite differences, 2-D and 1-D, one and several batch items', async () => {
    const check = async (shape: number[], rows: number) =>
      (await checkGradient({ op: 'GlobalMaxPool', inputs: [randomTensor('float32', shape, shape.length)], wrt: 0, rows, epsilon: 1e-3, rules: [GlobalMaxPool] })).relativeError;
    expect(await check([1, 3, 5, 4], 2)).toBeLessThan(2e-3);
    expect(await check([2, 3, 5, 4], 3)).toBeLessThan(2e-3);
    expect(await check([2, 4, 7], 2)).toBeLessThan(2e-3);
  });
});
