import { describe, it, expect } from 'vitest';
import { combineMaps, identityWeights, oneHotWeights } from './attribute.js';
import { tensor } from '@envision/onnx-grad';

describe('weights and the jacobian combination', () => {
  it('identity and one-hot weights select output elements', () => {
    expect([...identityWeights([2]).data]).toEqual([1, 0, 0, 1]);
    expect(identityWeights([1, 2]).shape).toEqual([2, 1, 2]);
    expect([...oneHotWeights([3], 2).data]).toEqual([0, 0, 1]);
    expect(() => oneHotWeights([3], 3)).toThrow(/target index 3 is out of range: the output has 3 elements/);
  });

  it('combines per-element maps with weights: map_k = Σ_i w_k,i map_i (hand-computed)', () => {
    const perElement = tensor('float32', [2, 3], new Float32Array([1, 2, 3, 10, 20, 30]));
    const weights = tensor('float32', [2, 2], new Float32Array([1, 0.5, -2, 0]));
    const maps = combineMaps(perElement, weights);
    expect(maps.shape).toEqual([2, 3]);
    expect([...maps.data]).toEqual([6, 12, 18, -2, -4, -6]);
  });
});
