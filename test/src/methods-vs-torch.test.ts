import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DifferentiableOnnxModel, attribute, readNpy, type AttributionMethod, type Tensor, maxRelativeError } from '@envision/core';
import { saliency, guidedBackprop, deconvnet } from '@envision/method-gb';
import { integratedGradients } from '@envision/method-ig';
import { gradientShapFromDraws, type ShapDraw } from '@envision/method-gradshap';
import { root } from './cli.js';

// References computed by scripts/dev/make_method_fixtures.py: torch.autograd in float64 with Captum's formulas
// (Captum itself cannot be installed here), on the same weights as the ONNX fixtures.
const dir = join(root, 'fixtures/methods');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  models: Record<string, { onnx: string; input: string; input_name: string; output_name: string; files: Record<string, string> }>;
};
const draws = JSON.parse(readFileSync(join(dir, 'gradshap_draws.json'), 'utf8')) as {
  baselines: number[];
  samples: { baseline: number; alpha: number; noise: string | null }[];
  samples_noise: { baseline: number; alpha: number; noise: string | null }[];
};


describe.each(['resnet', 'swin'])('gradient methods match the torch references on %s', (name) => {
  const spec = manifest.models[name]!;
  let model: DifferentiableOnnxModel;
  let x: Tensor<'float32'>;
  let weights: Tensor<'float32'>;
  const reference = async (logical: string) => (await readNpy(join(dir, spec.files[logical]!))).data as Float32Array;
  const run = async (method: AttributionMethod<never>, options: Record<string, unknown>, strategy: 'direct' | 'jacobian' = 'direct') =>
    attribute({ method: method as AttributionMethod, options, model, inputs: { [spec.input_name]: x }, wrt: spec.input_name, of: spec.output_name, weights, strategy });

  beforeAll(async () => {
    model = await DifferentiableOnnxModel.load(join(dir, spec.onnx), { cacheDir: null });
    x = (await readNpy(join(dir, spec.input))) as Tensor<'float32'>;
    weights = (await readNpy(join(dir, spec.files.weights!))) as Tensor<'float32'>;
  });

  it('saliency, signed and absolute', async () => {
    expect(maxRelativeError((await run(saliency as never, { abs: false })).maps.data, await reference('saliency'))).toBeLessThan(1e-4);
    expect(maxRelativeError((await run(saliency as never, { abs: true })).maps.data, await reference('saliency_abs'))).toBeLessThan(1e-4);
  });

  it('guided backprop and deconvnet (direct), and guided backprop per dimension (jacobian)', async () => {
    expect(maxRelativeError((await run(guidedBackprop as never, {})).maps.data, await reference('guided_backprop'))).toBeLessThan(1e-4);
    expect(maxRelativeError((await run(deconvnet as never, {})).maps.data, await reference('deconvnet'))).toBeLessThan(1e-4);
    expect(maxRelativeError((await run(guidedBackprop as never, {}, 'jacobian')).maps.data, await reference('guided_backprop_jacobian'))).toBeLessThan(1e-4);
  });

  for (const integration of ['gausslegendre', 'riemann_trapezoid', 'riemann_left', 'riemann_right', 'riemann_middle']) {
    it(`integrated gradients, ${integration}, 50 steps`, async () => {
      const result = await run(integratedGradients as never, { integration, steps: 50 });
      expect(maxRelativeError(result.maps.data, await reference(`ig_${integration}`))).toBeLessThan(1e-4);
    });
  }

  it('integrated gradients with a constant baseline, and its convergence delta', async () => {
    const result = await run(integratedGradients as never, { baseline: -0.5, steps: 20 });
    expect(maxRelativeError(result.maps.data, await reference('ig_gausslegendre_baseline'))).toBeLessThan(1e-4);
    const plain = await run(integratedGradients as never, {});
    const expected = JSON.parse(readFileSync(join(dir, spec.files.ig_delta_gausslegendre!), 'utf8')) as { delta?: number[] } | number[];
    const deltas = Array.isArray(expected) ? expected : (expected.delta ?? Object.values(expected)[0]) as number[];
    const got = plain.report!.convergenceDelta as number[];
    got.forEach((d, k) => expect(d).toBeCloseTo(deltas[k]!, 3));
  });

  for (const [label, samples] of [['without noise', draws.samples], ['with input noise', draws.samples_noise]] as const) {
    it(`gradient shap with Captum's draws, ${label}`, async () => {
      const n = x.data.length;
      const shapDraws: ShapDraw[] = await Promise.all(
        samples.map(async (s) => ({
          baseline: s.baseline,
          alpha: s.alpha,
          ...(s.noise === null ? {} : { noise: (await readNpy(join(dir, s.noise))).data as Float32Array }),
        })),
      );
      const baselines = draws.baselines.map((v) => new Float32Array(n).fill(v));
      const request = {
        model,
        inputs: { [spec.input_name]: x },
        wrt: spec.input_name,
        of: spec.output_name,
        target: weights,
        options: { samples: samples.length, stdevs: 0, baselines: draws.baselines, seed: 0 },
      };
      const result = await gradientShapFromDraws(request, baselines, shapDraws);
      expect(maxRelativeError(result.maps.data, await reference(label === 'without noise' ? 'gradshap' : 'gradshap_noise'))).toBeLessThan(1e-4);
    });
  }
});
