import { describe, it, expect } from 'vitest';
import { attribute, oneHotWeights, tensor, identityWeights, type OutputHead, type Tensor } from '@envision/core';
import { featureAblation } from './feature-ablation.js';
import { tinyInput, tinyModel } from './tiny-model.test-support.js';

const quadrantOf = (i: number) => ((i >> 2) >> 1) * 2 + ((i & 3) >> 1);

/** F(x) − F(x with quadrant q at the baseline), straight from the model. */
async function ablationValues(baseline: number, o: number): Promise<number[]> {
  const model = tinyModel();
  const run = async (x: Float32Array) => (await model.run({ x: tensor('float32', [1, 1, 4, 4], x) })).y!.data[o] as number;
  const full = await run(tinyInput.data as Float32Array);
  return Promise.all([0, 1, 2, 3].map(async (q) => full - (await run(Float32Array.from(tinyInput.data, (v, i) => (quadrantOf(i) === q ? baseline : v))))));
}

describe('feature-ablation', () => {
  const mask = { type: 'grid', size: [2, 2] };

  it('gives every element of a feature F(x) − F(x with the feature at the baseline), whatever the batching', async () => {
    for (const o of [0, 1]) {
      const expected = await ablationValues(0.25, o);
      for (const perturbationsPerEval of [1, 3, 16]) {
        const { maps } = await attribute({ method: featureAblation as never, options: { mask, baseline: 0.25, perturbationsPerEval }, model: tinyModel(), inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: oneHotWeights([2], o) });
        for (let i = 0; i < 16; i++) expect(maps.data[i]).toBeCloseTo(expected[quadrantOf(i)]!, 5);
      }
    }
  });

  it('batches perturbations per call (one call for the input and its 4 ablations), and one at a time for a fixed batch of 1', async () => {
    const batched = tinyModel();
    const result = await attribute({ method: featureAblation as never, options: { mask }, model: batched, inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: identityWeights([2]), strategy: 'direct' });
    expect(batched.calls.slice(1)).toEqual([5]); // the first call is attribute's own check of the output shape
    expect(result.report).toEqual({ features: 4, modelCalls: 1 });
    const fixed = tinyModel(true);
    await attribute({ method: featureAblation as never, options: { mask }, model: fixed, inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: identityWeights([2]), strategy: 'direct' });
    expect(fixed.calls.slice(1)).toEqual([1, 1, 1, 1, 1]);
  });

  it('scores perturbed outputs with a nonlinear head when one is given', async () => {
    // head: s(o) = o0 · o1, one row
    const head: OutputHead = {
      scores: (out) => Float32Array.from({ length: out.shape[0]! }, (_, b) => out.data[2 * b]! * out.data[2 * b + 1]!),
      cotangents: (out) => tensor('float32', [1, 2], new Float32Array([out.data[1]!, out.data[0]!])),
    };
    const model = tinyModel();
    const { maps } = await attribute({ method: featureAblation as never, options: { mask }, model, inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: oneHotWeights([2], 0), head });
    const score = async (x: Float32Array) => {
      const y = (await model.run({ x: tensor('float32', [1, 1, 4, 4], x) })).y!.data as Float32Array;
      return y[0]! * y[1]!;
    };
    const full = await score(tinyInput.data as Float32Array);
    for (const q of [0, 1, 2, 3]) {
      const ablated = await score(Float32Array.from(tinyInput.data, (v, i) => (quadrantOf(i) === q ? 0 : v)));
      expect(maps.data[[0, 2, 8, 10][q]!]).toBeCloseTo(full - ablated, 5);
    }
  });

  it("requires a mask, and checks its fields against the kind it names, one message each", async () => {
    const job = { method: featureAblation as never, model: tinyModel(), inputs: { x: tinyInput as Tensor<'float32'> }, wrt: 'x', of: 'y', weights: oneHotWeights([2], 0) };
    const message = async (options: Record<string, unknown>) => (await attribute({ ...job, options }).catch((e: Error) => e)) as Error;
    expect((await message({})).message).toBe("method feature-ablation: options must have required property 'mask'");
    expect((await message({ mask: { type: 'grid', size: [2] } })).message).toBe('method feature-ablation: options.mask.size must NOT have fewer than 2 items');
    expect((await message({ mask: { type: 'superpixels' } })).message).toBe("method feature-ablation: options.mask must have required property 'segments'");
    expect((await message({ mask: { type: 'grid', size: [2, 2], file: 'm.npy' } })).message).toBe('method feature-ablation: options.mask.file is not allowed');
    expect((await message({ mask: { type: 'grd', size: [2, 2] } })).message).toBe('method feature-ablation: options.mask.type must be equal to one of the allowed values');
  });
});
