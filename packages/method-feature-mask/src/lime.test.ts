import { describe, it, expect } from 'vitest';
import { attribute, identityWeights, isLinearInTarget, maxRelativeError, oneHotWeights, tensor } from '@envision/core';
import { limeFromCoalitions, limeMethod, limeWeights, type LimeOptions } from './lime.js';
import { composeInput, gridMask } from './masks.js';
import { drawLimeCoalitions } from './draws.js';
import { weightedLasso } from './lasso.js';
import { exactShapley, tinyInput, tinyModel } from './tiny-model.test-support.js';

const mask = { type: 'grid', size: [2, 2] };
const corners = [0, 2, 8, 10];
const run = async (options: Record<string, unknown>, strategy: 'direct' | 'jacobian' | 'auto' = 'direct') =>
  attribute({ method: limeMethod as never, options: { mask, ...options }, model: tinyModel(), inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: identityWeights([2]), strategy });

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
    const a = (await run({ samples: 10, seed: 1 })).maps;
    expect(Array.from((await run({ samples: 10, seed: 1 })).maps.data)).toEqual(Array.from(a.data));
    expect(Array.from((await run({ samples: 10, seed: 2 })).maps.data)).not.toEqual(Array.from(a.data));
  });

  it('model linear recovers an additive output exactly (its Shapley values are the linear coefficients)', async () => {
    const { maps } = await run({ samples: 25, seed: 3, baseline: 0.1, model: 'linear' });
    const exact = await exactShapley(tinyModel(), 0.1, 1);
    expect(maxRelativeError(corners.map((i) => maps.data[16 + i]!), exact)).toBeLessThan(1e-4);
  });

  it("defaults to Captum's Lasso (α = 0.01): each target row is its own weighted Lasso on the coalitions", async () => {
    const { maps, report } = await run({ samples: 25, seed: 3, baseline: 0.1 });
    const coalitions = drawLimeCoalitions(4, 25, 3);
    const model = tinyModel();
    const y = new Float32Array(25 * 2);
    for (const [t, z] of coalitions.entries()) {
      const p = new Float32Array(16);
      composeInput(tinyInput.data, gridMask(4, 4, [2, 2]), z, 0.1, p);
      y.set((await model.run({ x: tensor('float32', [1, 1, 4, 4], p) }, ['y'])).y!.data as Float32Array, 2 * t);
    }
    const weights = limeWeights(tinyInput.data, gridMask(4, 4, [2, 2]), 0.1, coalitions, { kernelWidth: 1, distance: 'cosine' });
    const fit = weightedLasso(coalitions, y, 2, weights, 0.01);
    for (let r = 0; r < 2; r++) corners.forEach((c, f) => expect(maps.data[16 * r + c]).toBeCloseTo(fit.coefficients[4 * r + f]!, 6));
    expect(report).toMatchObject({ model: 'lasso', alpha: 0.01, rank: 4, unconverged: 0 });
    // The additive row is shrunk toward 0 and differs from the linear fit; a large α zeroes every coefficient.
    const linear = (await run({ samples: 25, seed: 3, baseline: 0.1, model: 'linear' })).maps;
    expect(maxRelativeError(corners.map((i) => maps.data[16 + i]!), corners.map((i) => linear.data[16 + i]!))).toBeGreaterThan(1e-3);
    expect(Array.from((await run({ samples: 25, seed: 3, baseline: 0.1, alpha: 1e3 })).maps.data).every((v) => v === 0)).toBe(true);
  });

  it('is linear in the target only with model linear, so auto runs the Lasso per output element (jacobian)', async () => {
    const options = (o: Partial<LimeOptions>) => ({ ...limeMethod.meta.defaultOptions, mask, ...o }) as LimeOptions;
    expect(isLinearInTarget(limeMethod, options({}))).toBe(false);
    expect(isLinearInTarget(limeMethod, options({ model: 'linear' }))).toBe(true);
    // One target row (K = 1 < 2 output elements): auto runs direct only when the method is linear in it.
    const auto = async (o: Record<string, unknown>) =>
      (await attribute({ method: limeMethod as never, options: { mask, samples: 10, seed: 1, ...o }, model: tinyModel(), inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: oneHotWeights([2], 1) })).strategy;
    expect(await auto({})).toBe('jacobian');
    expect(await auto({ model: 'linear' })).toBe('direct');
  });

  it('replays given coalitions with either model', async () => {
    const coalitions = drawLimeCoalitions(4, 12, 5);
    const request = (model: 'lasso' | 'linear') => ({
      model: tinyModel(),
      inputs: { x: tinyInput },
      wrt: 'x',
      of: 'y',
      target: identityWeights([2]),
      options: { ...(limeMethod.meta.defaultOptions as LimeOptions), mask: { type: 'grid', size: [2, 2] }, samples: 12, seed: 5, model } as LimeOptions,
    });
    const seeded = (model: 'lasso' | 'linear') => run({ samples: 12, seed: 5, model });
    for (const model of ['lasso', 'linear'] as const) {
      expect(Array.from((await limeFromCoalitions(request(model) as never, coalitions)).maps.data)).toEqual(Array.from((await seeded(model)).maps.data));
    }
  });
});
