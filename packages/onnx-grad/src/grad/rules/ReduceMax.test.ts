import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { ReduceMax } from './ReduceMax.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('ReduceMax gradient', () => {
  it('matches finite differences with the axes as an attribute and as an input', async () => {
    const x = randomTensor('float64', [2, 3, 4], 1);
    const attr = await checkGradient({ op: 'ReduceMax', inputs: [x], wrt: 0, opset: 13, attributes: { axes: [-1n], keepdims: 0n }, rules: [ReduceMax] });
    expect(attr.relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 3, 4, 2], 2);
    const input = await checkGradient({ op: 'ReduceMax', inputs: [x1, ints([1, 3])], wrt: 0, opset: 18, rows: 3, rules: [ReduceMax] });
    expect(input.relativeError).toBeLessThan(1e-7);
  });

  it('splits the cotangent evenly between two tied maxima (central differences see ½ each)', async () => {
    const x = tensor('float64', [2, 2, 4], Float64Array.from([0.5, 0.9, 0.9, -0.2, 0.3, -0.1, 0.3, 0.2, 0.7, 0.7, 0.1, 0.0, -0.4, -0.3, -0.5, -0.3]));
    const r = await checkGradient({ op: 'ReduceMax', inputs: [x], wrt: 0, attributes: { axes: [2n], keepdims: 0n }, rules: [ReduceMax] });
    expect(r.relativeError).toBeLessThan(1e-7);
    // Every cotangent is halved between the two maxima.
    expect(r.analytic.filter((v) => v !== 0).length).toBe(2 * 2 * 2 * 2);
  });
});
