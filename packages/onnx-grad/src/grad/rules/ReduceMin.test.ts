import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { ReduceMin } from './ReduceMin.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('ReduceMin gradient', () => {
  it('matches finite differences with the axes as an attribute and as an input', async () => {
    const x = randomTensor('float64', [2, 3, 4], 1);
    const attr = await checkGradient({ op: 'ReduceMin', inputs: [x], wrt: 0, attributes: { axes: [1n] }, rules: [ReduceMin] });
    expect(attr.relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 3, 4, 2], 2);
    const input = await checkGradient({ op: 'ReduceMin', inputs: [x1, ints([-1, 2])], wrt: 0, opset: 18, rows: 3, attributes: { keepdims: 0n }, rules: [ReduceMin] });
    expect(input.relativeError).toBeLessThan(1e-7);
  });

  it('splits the cotangent evenly between two tied minima', async () => {
    const x = tensor('float64', [1, 3, 3], Float64Array.from([0.5, -0.9, -0.9, 0.3, 0.3, 0.8, -0.1, 0.4, -0.1]));
    const r = await checkGradient({ op: 'ReduceMin', inputs: [x], wrt: 0, attributes: { axes: [-1n], keepdims: 0n }, rules: [ReduceMin] });
    expect(r.relativeError).toBeLessThan(1e-7);
  });
});
