import { describe, it, expect } from 'vitest';
import { attribute, identityWeights, maxRelativeError } from '@envision/core';
import { limeMethod, limeWeights } from './lime.js';
import { composeInput, gridMask } from './masks.js';
import { drawLimeCoalitions } from './draws.js';
import { exactShapley, tinyInput, tinyModel } from './tiny-model.test-support.js';

const mask = { type: 'grid', size: [2, 2] };
const corners = [0, 2, 8, 10];
const run = async (options: Record<string, unknown>) =>
  (await attribute({ method: limeMethod as never, options: { mask, ...options }, model: tinyModel(), inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: identityWeights([2]), strategy: 'direct' })).maps;

describe('lime', () => {
  it("weights coalitions by Captum's exponential kernel on the cosine or euclidean distance of the perturbed input", () => {
    const x = Float32Array.from({ length: 2 * 16 }, (_, i) => Math.cos(i) + 0.2); // two channels
    const m = gridMask(4, 4, [2, 2]);
    const coalitions = drawLimeCoalitions(4, 6, 2);
    for (const [distance, width, baseline] of [['cosine', 1, 0.4], ['euclidean', 3, -1], ['cosine', 0.5, 0]] as const) {
      const got = limeWeights(x, m, baseline, coalitions, { distance, kernelWidth: width });
      coalitions.forEach((z, j) => {
        const p = new Float32Array(x.length);
        composeInput(x, m, z, baseline, p);
        let d: number;
        if (distance === 'euclidean') d = Math.sqrt(p.reduce((s, v, i) => s + (v - x[i]!) ** 2, 0));
        else {
          const dot = p.reduce((s, v, i) => s + v * x[i]!, 0);
          const np = Math.sqrt(p.reduce((s, v) => s + v * v, 0));
          const nx = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
          d = 1 - (np * nx > 0 ? dot / (np * nx) : 0);
        }
        expect(got[j]).toBeCloseTo(Math.exp(-(d * d) / (2 * width * width)), 10);
      });
    }
  });

  it('the same seed gives the same maps, another seed other maps', async () => {
    const a = await run({ samples: 10, seed: 1 });
    expect(Array.from((await run({ samples: 10, seed: 1 })).data)).toEqual(Array.from(a.data));
    expect(Array.from((await run({ samples: 10, seed: 2 })).data)).not.toEqual(Array.from(a.data));
  });

  it('recovers an additive output exactly (its Shapley values are the linear coefficients)', async () => {
    const maps = await run({ samples: 25, seed: 3, baseline: 0.1 });
    const exact = await exactShapley(tinyModel(), 0.1, 1);
    expect(maxRelativeError(corners.map((i) => maps.data[16 + i]!), exact)).toBeLessThan(1e-4);
  });
});
