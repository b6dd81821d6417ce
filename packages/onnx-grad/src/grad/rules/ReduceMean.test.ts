import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { ReduceMean } from './ReduceMean.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('ReduceMean gradient', () => {
  it('matches finite differences with the axes as an attribute (opset 17)', async () => {
    const x = randomTensor('float64', [2, 3, 4, 2], 1);
    const r = await checkGradient({ op: 'ReduceMean', inputs: [x], wrt: 0, attributes: { axes: [-1n, 2n], keepdims: 0n }, rules: [ReduceMean] });
    expect(r.relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences with the axes as an input (opset 18)', async () => {
    const x = randomTensor('float64', [1, 3, 5], 2);
    const r = await checkGradient({ op: 'ReduceMean', inputs: [x, ints([1])], wrt: 0, opset: 18, rows: 3, rules: [ReduceMean] });
    expect(r.relativeError).toBeLessThan(1e-7);
    const x2 = randomTensor('float64', [2, 3, 5], 3);
    const r2 = await checkGradient({ op: 'ReduceMean', inputs: [x2, ints([-1, -2])], wrt: 0, opset: 18, attributes: { keepdims: 0n }, rules: [ReduceMean] });
    expect(r2.relativeError).toBeLessThan(1e-7);
  });
});
