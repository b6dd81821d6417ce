import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DifferentiableOnnxModel, PluginRegistry, attribute, maxRelativeError, readNpy, type AttributionMethod, type Tensor } from '@envision/core';
import gradientMethods, { inputXGradient } from '@envision/method-gb';
import integratedGradientsPlugins from '@envision/method-ig';
import noiseTunnelPlugins, { noiseSamples, noiseTunnel } from '@envision/method-noise-tunnel';
import { root } from './cli.js';

// References computed by scripts/dev/make_method_fixtures_19a.py with Captum 0.8.0's InputXGradient and NoiseTunnel on
// the float64 torch models, the noise replaced by the noise Envision draws (noiseSamples, replayed in Python).
const dir = join(root, 'fixtures/methods/ixg-nt');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  cases: Record<string, { envision: { options: { samples: number; stdevs: number; seed: number } & Record<string, unknown> }; noise_sha256: string }>;
  models: Record<string, { onnx: string; input: string; weights: string; input_name: string; output_name: string; files: Record<string, string> }>;
};
const registry = new PluginRegistry();
registry.addPackage(gradientMethods, '@envision/method-gb');
registry.addPackage(integratedGradientsPlugins, '@envision/method-ig');
registry.addPackage(noiseTunnelPlugins, '@envision/method-noise-tunnel');
const resolveMethod = registry.methodResolver();

describe('the noise Envision draws is the noise the references used', () => {
  for (const [name, c] of Object.entries(manifest.cases)) {
    it(name, () => {
      const { samples, stdevs, seed } = c.envision.options;
      const hash = createHash('sha256');
      for (const noise of noiseSamples(samples, 3 * 32 * 32, stdevs, seed)) hash.update(new Uint8Array(noise.buffer));
      expect(hash.digest('hex')).toBe(c.noise_sha256);
    });
  }
});

describe.each(['resnet', 'swin'])('input-x-gradient and noise-tunnel match Captum on %s', (name) => {
  const spec = manifest.models[name]!;
  let model: DifferentiableOnnxModel;
  let x: Tensor<'float32'>;
  let weights: Tensor<'float32'>;
  const reference = async (logical: string) => (await readNpy(join(dir, spec.files[logical]!))).data as Float32Array;
  const run = (method: AttributionMethod<never>, options: Record<string, unknown>, strategy: 'direct' | 'jacobian' = 'direct') =>
    attribute({ method: method as AttributionMethod, options, model, inputs: { [spec.input_name]: x }, wrt: spec.input_name, of: spec.output_name, weights, strategy, resolveMethod });

  beforeAll(async () => {
    model = await DifferentiableOnnxModel.load(join(dir, spec.onnx), { cacheDir: null });
    x = (await readNpy(join(dir, spec.input))) as Tensor<'float32'>;
    weights = (await readNpy(join(dir, spec.weights))) as Tensor<'float32'>;
  });

  it('input-x-gradient (direct, and per output element combined)', async () => {
    const expected = await reference('input_x_gradient');
    expect(maxRelativeError((await run(inputXGradient as never, {})).maps.data, expected)).toBeLessThan(1e-4);
    expect(maxRelativeError((await run(inputXGradient as never, {}, 'jacobian')).maps.data, expected)).toBeLessThan(1e-4);
  });

  for (const c of ['nt_saliency_smoothgrad', 'nt_saliency_abs_smoothgrad_sq', 'nt_saliency_vargrad', 'nt_ig_smoothgrad']) {
    it(`noise-tunnel, ${c}`, async () => {
      const result = await run(noiseTunnel as never, manifest.cases[c]!.envision.options);
      expect(maxRelativeError(result.maps.data, await reference(c))).toBeLessThan(1e-4);
    });
  }

  it('noise-tunnel: the same seed gives the same maps, another seed other maps', async () => {
    const options = { method: 'saliency', methodOptions: { abs: false }, samples: 2, stdevs: 0.2 };
    const a = (await run(noiseTunnel as never, { ...options, seed: 1 })).maps.data;
    expect([...(await run(noiseTunnel as never, { ...options, seed: 1 })).maps.data]).toEqual([...a]);
    expect(maxRelativeError((await run(noiseTunnel as never, { ...options, seed: 2 })).maps.data, a)).toBeGreaterThan(1e-3);
  });
});
