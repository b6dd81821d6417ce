import { describe, expect, it } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import { tensor } from '../../tensor.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import { Concat } from './Concat.js';
import { Split } from './Split.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('Split gradient', () => {
  it('zero-pads the cotangent of the one output used, for uneven sizes', async () => {
    const x = randomTensor('float64', [2, 7, 3], 1);
    for (const of of [0, 1, 2]) {
      const r = await checkGradient({ op: 'Split', inputs: [x, ints([2, 4, 1])], wrt: 0, outputs: 3, of, attributes: { axis: 1n }, rules: [Split] });
      expect(r.relativeError, `output ${of}`).toBeLessThan(1e-7);
    }
    // Opset 18: num_outputs, the last part shorter (3, 3, 1).
    const x1 = randomTensor('float64', [1, 2, 7], 2);
    const r1 = await checkGradient({ op: 'Split', inputs: [x1], wrt: 0, outputs: 3, of: 1, opset: 18, rows: 3, attributes: { axis: -1n, num_outputs: 3n }, rules: [Split] });
    expect(r1.relativeError).toBeLessThan(1e-7);
  });

  it('concatenates the cotangents of several outputs, with zeros for an unused one', async () => {
    const feeds = { x: randomTensor('float64', [2, 6, 2], 3) };
    const split = (outputs: string[]) => makeNode('Split', ['x'], outputs, { axis: 1n });
    const some = await checkModelGradient({ nodes: [split(['a', 'b', 'c']), makeNode('Concat', ['c', 'a'], ['y'], { axis: 1n })], feeds, opset: 13, rules: [Split, Concat] });
    expect(some.relativeError).toBeLessThan(1e-7);
    const all = await checkModelGradient({ nodes: [split(['a', 'b']), makeNode('Concat', ['b', 'a'], ['y'], { axis: 2n })], feeds, rows: 3, rules: [Split, Concat] });
    expect(all.relativeError).toBeLessThan(1e-7);
  });
});
