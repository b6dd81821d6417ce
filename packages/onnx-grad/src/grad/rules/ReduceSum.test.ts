import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { ReduceSum } from './ReduceSum.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('ReduceSum gradient', () => {
  it('matches finite differences with keepdims 0 and 1 and negative axes', async () => {
    const x = randomTensor('float64', [2, 3, 4, 2], 1);
    const dropped = await checkGradient({ op: 'ReduceSum', inputs: [x, ints([-1, 1])], wrt: 0, attributes: { keepdims: 0n }, rules: [ReduceSum] });
    expect(dropped.relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 3, 4], 2);
    const kept = await checkGradient({ op: 'ReduceSum', inputs: [x1, ints([-2])], wrt: 0, rows: 3, opset: 13, rules: [ReduceSum] });
    expect(kept.relativeError).toBeLessThan(1e-7);
  });

  it('passes the cotangent through with noop_with_empty_axes and no axes', async () => {
    const x = randomTensor('float64', [2, 3, 2], 3);
    const noop = await checkGradient({ op: 'ReduceSum', inputs: [x], wrt: 0, attributes: { noop_with_empty_axes: 1n }, rules: [ReduceSum] });
    expect(noop.relativeError).toBeLessThan(1e-7);
    const emptyAxes = await checkGradient({ op: 'ReduceSum', inputs: [x, ints([])], wrt: 0, attributes: { noop_with_empty_axes: 1n, keepdims: 0n }, rules: [ReduceSum] });
    expect(emptyAxes.relativeError).toBeLessThan(1e-7);
  });

  it('fails loudly when the axes are not a compile-time constant', async () => {
    const rule: GradientRule = { opType: 'ReduceSum', backward: (ctx) => ReduceSum.backward({ ...ctx, constInts: () => undefined }) };
    const x = randomTensor('float64', [1, 3, 4], 4);
    await expect(checkGradient({ op: 'ReduceSum', inputs: [x, ints([1])], wrt: 0, rules: [rule] })).rejects.toThrow(/axes \(input 1\) must be a compile-time constant/);
  });
});
