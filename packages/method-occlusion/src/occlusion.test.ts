import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OnnxModel, attribute, oneHotWeights, readNpy, type Tensor, maxRelativeError } from '@envision/core';
import { occlusion } from './occlusion.js';

// Reference maps computed in float64 by scripts/dev/make_fixtures.py with Captum's Occlusion semantics.
const dir = fileURLToPath(new URL('../../../fixtures/occlusion/', import.meta.url));
interface Case {
  name: string;
  window: number[];
  strides: number[];
  baseline: number;
  target: number | null;
  weights: string | null;
  expected: string;
}
const cases = JSON.parse(readFileSync(dir + 'cases.json', 'utf8')) as Case[];


describe('occlusion matches Captum (float64 reference)', () => {
  let model: OnnxModel;
  let x: Tensor<'float32'>;
  beforeAll(async () => {
    model = await OnnxModel.load(dir + 'encoder.onnx');
    x = (await readNpy(dir + 'x.npy')) as Tensor<'float32'>;
  });

  for (const c of cases) {
    for (const strategy of ['direct', 'jacobian'] as const) {
      for (const perturbationsPerEval of [1, 7]) {
        it(`${c.name}, ${strategy}, ${perturbationsPerEval} per eval`, async () => {
          const weights = c.weights === null ? oneHotWeights([6], c.target!) : ((await readNpy(dir + c.weights)) as Tensor<'float32'>);
          const expected = await readNpy(dir + c.expected);
          const result = await attribute({
            method: occlusion,
            options: { window: c.window, strides: c.strides, baseline: c.baseline, perturbationsPerEval },
            model,
            inputs: { x },
            wrt: 'x',
            of: 'y',
            weights,
            strategy,
          });
          expect(result.strategy).toBe(strategy);
          expect(result.maps.shape).toEqual(expected.shape);
          expect(maxRelativeError(result.maps, expected)).toBeLessThan(1e-4);
        });
      }
    }
  }

  it('explains all K rows in one sweep: the number of model calls does not grow with K', async () => {
    const weights = (await readNpy(dir + 'weights.npy')) as Tensor<'float32'>;
    const one = await attribute({ method: occlusion, options: { window: [3, 4, 4], strides: [3, 2, 2] }, model, inputs: { x }, wrt: 'x', of: 'y', weights: oneHotWeights([6], 0), strategy: 'direct' });
    const many = await attribute({ method: occlusion, options: { window: [3, 4, 4], strides: [3, 2, 2] }, model, inputs: { x }, wrt: 'x', of: 'y', weights, strategy: 'direct' });
    expect(many.report?.modelCalls).toBe(one.report?.modelCalls);
  });

  it('rejects a window of the wrong rank, naming the expected length', async () => {
    await expect(
      attribute({ method: occlusion, options: { window: [4, 4] }, model, inputs: { x }, wrt: 'x', of: 'y', weights: oneHotWeights([6], 0) }),
    ).rejects.toThrow(/window must have 3 items/);
  });

  it('rejects an option of the wrong type with the option path', async () => {
    await expect(
      attribute({ method: occlusion, options: { window: [3, 'a', 4] }, model, inputs: { x }, wrt: 'x', of: 'y', weights: oneHotWeights([6], 0) }),
    ).rejects.toThrow(/options\.window\[1\] must be integer/);
  });
});
