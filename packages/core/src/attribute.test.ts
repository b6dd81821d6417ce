import { describe, it, expect } from 'vitest';
import { attribute, combineMaps, identityWeights, oneHotWeights } from './attribute.js';
import { tensor, type Model, type Tensor } from '@envision/onnx-grad';
import type { AttributionMethod } from './method.js';

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

describe('the request a method receives', () => {
  // y = 2x on two elements: enough to run a method that only records its request.
  const model: Model = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
    run: async (feeds) => ({ y: tensor('float32', feeds.x!.shape, Float32Array.from(feeds.x!.data as Float32Array, (v) => 2 * v)) }),
  };
  const seen: (string | undefined)[] = [];
  const recorder: AttributionMethod = {
    meta: { id: 'recorder', kind: 'perturbation', linear: true, optionsSchema: { type: 'object' }, defaultOptions: {}, description: 'records', paper: 'none' },
    attribute: async (request) => {
      seen.push(request.baseDir);
      return { maps: tensor('float32', [request.target.shape[0]!, 2], new Float32Array(2 * request.target.shape[0]!)) };
    },
  };
  const x = tensor('float32', [1, 2], new Float32Array([1, 2])) as Tensor<'float32'>;

  it('carries the folder relative option paths are resolved against, in both strategies, and none when not given', async () => {
    for (const strategy of ['direct', 'jacobian'] as const) {
      await attribute({ method: recorder, model, inputs: { x }, wrt: 'x', of: 'y', weights: oneHotWeights([2], 0), strategy, baseDir: '/experiments/a' });
    }
    await attribute({ method: recorder, model, inputs: { x }, wrt: 'x', of: 'y', weights: oneHotWeights([2], 0) });
    expect(seen).toEqual(['/experiments/a', '/experiments/a', undefined]);
  });
});
