import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { ReduceL2 } from './ReduceL2.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('ReduceL2 gradient', () => {
  it('matches finite differences', async () => {
    const x = randomTensor('float64', [2, 3, 4], 1);
    const r = await checkGradient({ op: 'ReduceL2', inputs: [x], wrt: 0, attributes: { axes: [-1n], keepdims: 0n }, rules: [ReduceL2] });
    expect(r.relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 3, 4, 2], 2);
    const r1 = await checkGradient({ op: 'ReduceL2', inputs: [x1, ints([1, 2])], wrt: 0, opset: 18, rows: 3, rules: [ReduceL2] });
    expect(r1.relativeError).toBeLessThan(1e-7);
  });

  it('is exact for small norms', async () => {
    const x = randomTensor('float64', [2, 3, 2], 3, -1e-4, 1e-4);
    const r = await checkGradient({ op: 'ReduceL2', inputs: [x], wrt: 0, epsilon: 1e-9, attributes: { axes: [1n] }, rules: [ReduceL2] });
    expect(r.relativeError).toBeLessThan(1e-6);
  });

  it('gives the subgradient 0 where the norm is 0', async () => {
    const x = tensor('float64', [1, 2, 3], Float64Array.from([0, 0, 0, 0.3, -0.4, 1.2]));
    const r = await checkGradient({ op: 'ReduceL2', inputs: [x], wrt: 0, attributes: { axes: [2n] }, rules: [ReduceL2] });
    expect(Array.from(r.analytic.slice(0, 3))).toEqual([0, 0, 0]);
    expect(r.analytic.every(Number.isFinite)).toBe(true);
  });
});
