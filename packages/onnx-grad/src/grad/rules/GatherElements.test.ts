import { describe, expect, it } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import { tensor } from '../../tensor.js';
import { checkModelGradient, randomTensor } from '../check-gradient.js';
import { GatherElements } from './GatherElements.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('GatherElements gradient', () => {
  // The indices are a batched graph input, so they are runtime values, as in a model.
  for (const opset of [13, 16]) {
    it(`adds up duplicate and negative indices (opset ${opset})`, async () => {
      const x = randomTensor('float64', [2, 3, 4], 1);
      const idx = ints([0, 3, -1, 0, 0, 1, 1, 2, -4, 3, 3, 3, 3, 3, 1, 0, -2, 2, 2, 2, 1, 0, 3, 2, 0, 1, 1, 1, 0, -3], [2, 3, 5]);
      const node = makeNode('GatherElements', ['x', 'idx'], ['y'], { axis: 2n });
      expect((await checkModelGradient({ nodes: [node], feeds: { x, idx }, opset, rules: [GatherElements] })).relativeError).toBeLessThan(1e-7);
    });

    it(`zero-fills where the indices are shorter than x on other axes (opset ${opset})`, async () => {
      const x = randomTensor('float64', [1, 4, 3], 2);
      const idx = ints([3, 0, 1, 1, -1, 3, 2, 0, 0, 3], [1, 5, 2]);
      const node = makeNode('GatherElements', ['x', 'idx'], ['y'], { axis: -2n });
      expect((await checkModelGradient({ nodes: [node], feeds: { x, idx }, opset, rows: 3, rules: [GatherElements] })).relativeError).toBeLessThan(1e-7);
    });
  }
});
