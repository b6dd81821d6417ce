import { describe, it, expect } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { GlobalAveragePool } from './GlobalAveragePool.js';

// onnxruntime's CPU GlobalAveragePool is float32 only: ε = 1e-2, tolerance 2e-3 (linear: exact up to rounding).
describe('GlobalAveragePool gradient', () => {
  it('matches finite differences, 2-D and 1-D, one and several batch items', async () => {
    const check = async (shape: number[], rows: number) =>
      (await checkGradient({ op: 'GlobalAveragePool', inputs: [randomTensor('float32', shape, shape.length)], wrt: 0, rows, rules: [GlobalAveragePool] })).relativeError;
    expect(await check([1, 3, 5, 4], 2)).toBeLessThan(2e-3);
    expect(await check([2, 3, 5, 4], 3)).toBeLessThan(2e-3);
    expect(await check([2, 4, 7], 2)).toBeLessThan(2e-3);
  });
});
