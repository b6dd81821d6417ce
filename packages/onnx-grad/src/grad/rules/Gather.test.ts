import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { Gather } from './Gather.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));
/** Gather's rule as it runs when the indices are computed from the data: no compile-time integers. */
const atRuntime: GradientRule = { opType: 'Gather', backward: (ctx) => Gather.backward({ ...ctx, constInts: () => undefined }) };

describe('Gather gradient', () => {
  for (const [name, rule, opset] of [['constant', Gather, 17], ['runtime, ScatterElements', atRuntime, 16], ['runtime, one-hot', atRuntime, 13]] as const) {
    it(`adds up duplicate and negative 2-D indices on axis 1 (${name} indices)`, async () => {
      const x = randomTensor('float64', [2, 5, 3], 1);
      const indices = ints([0, 4, -1, 2, 0, 0], [3, 2]);
      const r = await checkGradient({ op: 'Gather', inputs: [x, indices], wrt: 0, opset, attributes: { axis: 1n }, rules: [rule] });
      expect(r.relativeError).toBeLessThan(1e-7);
      const x1 = randomTensor('float64', [1, 3, 4, 2], 2);
      const r1 = await checkGradient({ op: 'Gather', inputs: [x1, ints([3, -4, 3, 1])], wrt: 0, opset, rows: 3, attributes: { axis: -2n }, rules: [rule] });
      expect(r1.relativeError).toBeLessThan(1e-7);
    });

    it(`removes the axis for scalar indices (${name} indices)`, async () => {
      const x = randomTensor('float64', [2, 3, 4], 3);
      const r = await checkGradient({ op: 'Gather', inputs: [x, ints([-2], [])], wrt: 0, opset, attributes: { axis: 2n }, rules: [rule] });
      expect(r.relativeError).toBeLessThan(1e-7);
    });
  }

  it('passes the cotangent through for the identity permutation, and permutes it back for others', async () => {
    const x = randomTensor('float64', [2, 4, 3], 4);
    expect((await checkGradient({ op: 'Gather', inputs: [x, ints([0, 1, 2, 3])], wrt: 0, attributes: { axis: 1n }, rules: [Gather] })).relativeError).toBeLessThan(1e-7);
    expect((await checkGradient({ op: 'Gather', inputs: [x, ints([2, 0, 1], [1, 3])], wrt: 0, attributes: { axis: 2n }, rules: [Gather] })).relativeError).toBeLessThan(1e-7);
  });
});
