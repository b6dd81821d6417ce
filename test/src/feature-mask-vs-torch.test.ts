import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxModel, attribute, readNpy, maxRelativeError, type AttributionMethod, type Tensor } from '@envision/core';
import {
  buildMask,
  drawKernelShapCoalitions,
  drawLimeCoalitions,
  drawPermutations,
  featureAblation,
  kernelShapMethod,
  limeMethod,
  shapleySampling,
  spreadToInput,
  type MaskSpec,
} from '@envision/method-feature-mask';
import { root } from './cli.js';

// References: Captum 0.8.0's FeatureAblation, ShapleyValueSampling, KernelShap and Lime, in float64, replaying the
// masks and draws this package makes (scripts/dev/export_feature_mask_draws.mjs, then make_feature_mask_fixtures.py).
// `lime` is Captum's Lime with a weighted linear regression (the package's `model: linear`); `lime-lasso` is Captum's
// Lime with its default Lasso(alpha=0.01), fitted by the script's exact solver (scikit-learn is not installed there).
const dir = join(root, 'fixtures/methods/feature-mask');
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as {
  models: Record<string, { onnx: string; input: string; input_name: string; output_name: string; weights: string }>;
  masks: Record<string, { mask: MaskSpec; baseline: number }>;
  sampling: { samples: number; seed: number };
};
const draws = JSON.parse(readFileSync(join(dir, 'draws.json'), 'utf8')) as Record<
  string,
  Record<string, { mask: string; m: number; permutations: number[][]; kernelShap: number[][]; lime: number[][] }>
>;
const references = JSON.parse(readFileSync(join(dir, 'references.json'), 'utf8')) as {
  models: Record<string, Record<string, Record<string, number[][]>>>;
};
/** Reference key → the method and the options it runs with besides the mask, baseline and sampling. */
const methods: Record<string, { method: AttributionMethod; options: Record<string, unknown> }> = {
  'feature-ablation': { method: featureAblation as never, options: {} },
  'shapley-sampling': { method: shapleySampling as never, options: {} },
  'kernel-shap': { method: kernelShapMethod as never, options: {} },
  lime: { method: limeMethod as never, options: { model: 'linear' } },
  'lime-lasso': { method: limeMethod as never, options: {} }, // the default: model lasso, alpha 0.01
};

describe.each(Object.keys(cases.models))('feature-mask methods match Captum on %s', (name) => {
  const spec = cases.models[name]!;
  let model: OnnxModel;
  let x: Tensor<'float32'>;
  let weights: Tensor<'float32'>;
  beforeAll(async () => {
    model = await OnnxModel.load(join(dir, spec.onnx));
    x = (await readNpy(join(dir, spec.input))) as Tensor<'float32'>;
    weights = (await readNpy(join(dir, spec.weights))) as Tensor<'float32'>;
  });
  const run = (id: string, options: Record<string, unknown>, strategy: 'direct' | 'jacobian' = 'direct') =>
    attribute({ method: methods[id]!.method, options: { ...options, ...methods[id]!.options }, model, inputs: { [spec.input_name]: x }, wrt: spec.input_name, of: spec.output_name, weights, strategy, baseDir: dir });

  for (const [maskName, maskCase] of Object.entries(cases.masks)) {
    it(`${maskName}: the mask and the draws are the ones Captum replayed`, async () => {
      const d = draws[name]![maskName]!;
      const mask = await buildMask(maskCase.mask, x, dir, 'test');
      expect(mask.count).toBe(d.m);
      const expected = await readNpy(join(dir, d.mask));
      expect(Array.from(mask.ids)).toEqual(Array.from(expected.data as BigInt64Array, Number));
      const { samples, seed } = cases.sampling;
      expect(drawPermutations(d.m, samples, seed).map((p) => [...p])).toEqual(d.permutations);
      expect(drawKernelShapCoalitions(d.m, samples, seed).map((z) => [...z])).toEqual(d.kernelShap);
      expect(drawLimeCoalitions(d.m, samples, seed).map((z) => [...z])).toEqual(d.lime);
    });

    for (const id of Object.keys(methods)) {
      it(`${maskName}: ${id} to 1e-4 relative`, async () => {
        const options = { mask: maskCase.mask, baseline: maskCase.baseline, ...(id === 'feature-ablation' ? {} : cases.sampling) };
        const result = await run(id, options);
        const mask = await buildMask(maskCase.mask, x, dir, 'test');
        const rows = references.models[name]![maskName]![id]!;
        const expected = spreadToInput(rows.flat(), rows.length, mask, x.data.length);
        expect(result.maps.shape).toEqual([3, ...x.shape.slice(1)]);
        expect(maxRelativeError(result.maps.data, expected)).toBeLessThan(1e-4);
      });
    }
  }

  it('the same superpixels read from an npy file relative to the experiment give the same maps, and jacobian agrees with direct', async () => {
    const options = { mask: { type: 'npy', file: draws[name]!.superpixels!.mask }, baseline: cases.masks.superpixels!.baseline, ...cases.sampling };
    const rows = references.models[name]!.superpixels!['kernel-shap']!;
    const mask = await buildMask(cases.masks.superpixels!.mask, x, dir, 'test');
    const expected = spreadToInput(rows.flat(), rows.length, mask, x.data.length);
    expect(maxRelativeError((await run('kernel-shap', options)).maps.data, expected)).toBeLessThan(1e-4);
    expect(maxRelativeError((await run('kernel-shap', options, 'jacobian')).maps.data, expected)).toBeLessThan(1e-4);
  });
});
