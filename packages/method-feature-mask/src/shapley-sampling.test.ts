import { describe, it, expect } from 'vitest';
import { attribute, identityWeights, maxRelativeError } from '@envision/core';
import { shapleySampling, shapleySamplingFromPermutations } from './shapley-sampling.js';
import { exactShapley, tinyInput, tinyModel } from './tiny-model.test-support.js';

const mask = { type: 'grid', size: [2, 2] };
const corners = [0, 2, 8, 10]; // one element of each quadrant
const run = async (options: Record<string, unknown>) =>
  (await attribute({ method: shapleySampling as never, options: { mask, baseline: -0.5, ...options }, model: tinyModel(), inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: identityWeights([2]), strategy: 'direct' })).maps;

describe('shapley-sampling', () => {
  it('the same seed gives the same maps, another seed other maps', async () => {
    const a = await run({ samples: 5, seed: 1 });
    expect(Array.from((await run({ samples: 5, seed: 1 })).data)).toEqual(Array.from(a.data));
    expect(Array.from((await run({ samples: 5, seed: 2 })).data)).not.toEqual(Array.from(a.data));
  });

  it('is efficient for any draw: the feature values sum to F(x) − F(baseline)', async () => {
    const maps = await run({ samples: 3, seed: 5 });
    const model = tinyModel();
    const fx = (await model.run({ x: tinyInput })).y!.data as Float32Array;
    const fb = (await model.run({ x: { ...tinyInput, data: new Float32Array(16).fill(-0.5) } })).y!.data as Float32Array;
    for (const o of [0, 1]) expect(corners.reduce((s, i) => s + maps.data[o * 16 + i]!, 0)).toBeCloseTo(fx[o]! - fb[o]!, 5);
  });

  it('converges to the exact Shapley values (all 16 coalitions enumerated); exact at once on an additive output', async () => {
    const model = tinyModel();
    const exact = await exactShapley(model, -0.5, 0);
    const error = async (samples: number) => {
      const maps = await run({ samples, seed: 11 });
      return maxRelativeError(corners.map((i) => maps.data[i]!), exact);
    };
    const few = await error(4);
    const many = await error(20000);
    expect(many).toBeLessThan(0.01);
    expect(many).toBeLessThan(few);
    // Every one of the 4! permutations once: the Shapley values exactly.
    const all = [...permutations([0, 1, 2, 3])].map((p) => Int32Array.from(p));
    const request = { model, inputs: { x: tinyInput }, wrt: 'x', of: 'y', target: identityWeights([2]), options: { mask, baseline: -0.5, perturbationsPerEval: 16, samples: 24, seed: 0 } } as const;
    const { maps: enumerated } = await shapleySamplingFromPermutations(request as never, all);
    expect(maxRelativeError(corners.map((i) => enumerated.data[i]!), exact)).toBeLessThan(1e-5);
    const additive = await exactShapley(model, -0.5, 1);
    const maps = await run({ samples: 1, seed: 3 });
    expect(maxRelativeError(corners.map((i) => maps.data[16 + i]!), additive)).toBeLessThan(1e-5);
  });
});

function* permutations(items: number[]): Generator<number[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (const [i, first] of items.entries()) for (const rest of permutations(items.filter((_, j) => j !== i))) yield [first, ...rest];
}
