// Gradients of real exports and of intermediate tensors, against torch.autograd and Captum's definitions
// (scripts/dev/make_layer_fixtures.py; checked there against Captum 0.8.0): `grad --wrt LAYER`, grad-cam and layer-ig
// on the Swin and ResNet fixtures, and the fixed-batch exports of both against the dynamic ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Tensor, maxRelativeError, readNpy } from '@envision/core';
import { envision, root, useTempDir } from './cli.js';

const temp = useTempDir('envision-layer-');

const FIXTURES = {
  resnet: { wrt: 'x', of: 'y', tokens: 'none' },
  swin: { wrt: 'pixel_values', of: 'image_embeds', tokens: 'all' },
} as const;

/** Sums `[K, C, H, W]` over C → `[K, 1, H, W]` (the reference's single channel). */
function channelSum(t: Tensor): number[] {
  const [k, c, h, w] = t.shape as [number, number, number, number];
  const out = new Array<number>(k * h * w).fill(0);
  for (let r = 0; r < k; r++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[r * h * w + p]! += Number(t.data[(r * c + ch) * h * w + p]);
  return out;
}

for (const [name, f] of Object.entries(FIXTURES)) {
  const grad = (file: string) => join(root, 'fixtures/grad', name, file);
  const layer = (file: string) => join(root, 'fixtures/layer', name, file);
  const layers = JSON.parse(readFileSync(layer('layers.json'), 'utf8')) as { index: number; onnx: string }[];
  const common = (model: string) => ['--model', model, '--input', `${f.wrt}=${grad(`inputs/${f.wrt}.npy`)}`, '--of', f.of];

  describe(`${name}: layers`, () => {
    for (const { index, onnx } of layers) {
      it(`grad --wrt ${onnx} equals torch.autograd (1e-4)`, async () => {
        const out = join(temp(), `${name}-grad-${index}.npy`);
        const r = envision(['grad', ...common(grad('model.onnx')), '--wrt', onnx, '--cotangent', grad('cotangent.npy'), '--out', out]);
        expect(r.code, r.stderr).toBe(0);
        expect(maxRelativeError(await readNpy(out), await readNpy(layer(`grad-${index}.npy`)))).toBeLessThan(1e-4);
      });

      // --strategy direct: Captum explains the weighted output itself (with ReLU, `auto` would fuse per-output maps).
      it(`grad-cam on ${onnx}: raw, ReLU, nearest and bilinear upsampling equal Captum's LayerGradCam (1e-4)`, async () => {
        const run = async (options: string[], tag: string) => {
          const out = join(temp(), `${name}-cam-${index}-${tag}.npy`);
          const r = envision(['attribute', ...common(grad('model.onnx')), '--wrt', f.wrt, '--method', 'grad-cam', '--option', `layer=${onnx}`, '--option', `tokens=${f.tokens}`, ...options, '--target-weights', grad('cotangent.npy'), '--strategy', 'direct', '--out', out]);
          expect(r.code, r.stderr).toBe(0);
          return readNpy(out);
        };
        expect(maxRelativeError(await run(['--option', 'upsample=none'], 'raw'), await readNpy(layer(`gradcam-${index}.npy`)))).toBeLessThan(1e-4);
        expect(maxRelativeError(await run(['--option', 'upsample=none', '--option', 'relu=true'], 'relu'), await readNpy(layer(`gradcam-relu-${index}.npy`)))).toBeLessThan(1e-4);
        for (const mode of ['nearest', 'bilinear']) {
          const maps = await run(['--option', `upsample=${mode}`], mode);
          expect(maps.shape.slice(0, 2)).toEqual([3, 3]);
          expect(maxRelativeError(channelSum(maps), await readNpy(layer(`gradcam-up-${mode}-${index}.npy`)))).toBeLessThan(1e-4);
        }
      });

      it(`layer-ig on ${onnx} equals Captum's LayerIntegratedGradients (1e-4), its delta near 0`, async () => {
        const out = join(temp(), `${name}-lig-${index}.npy`);
        const r = envision(['attribute', ...common(grad('model.onnx')), '--wrt', f.wrt, '--method', 'layer-ig', '--option', `layer=${onnx}`, '--target-weights', grad('cotangent.npy'), '--out', out, '--json']);
        expect(r.code, r.stderr).toBe(0);
        expect(maxRelativeError(await readNpy(out), await readNpy(layer(`layer-ig-${index}.npy`)))).toBeLessThan(1e-4);
        const report = JSON.parse(r.stdout) as { report: { convergenceDelta: number[] } };
        for (const d of report.report.convergenceDelta) expect(Math.abs(d)).toBeLessThan(1e-3);
      });
    }

    it('a layer name the model does not have: one line with close names, exit 2', () => {
      const r = envision(['grad', ...common(grad('model.onnx')), '--wrt', 'stage9', '--cotangent', grad('cotangent.npy'), '--out', join(temp(), 'nope.npy')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no intermediate value 'stage9'; close names: /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  describe(`${name}: the fixed-batch export gives what the dynamic one gives (1e-5)`, () => {
    it('envision grad', async () => {
      const outs = await Promise.all(
        ['model.onnx', 'model-fixed.onnx'].map(async (model, i) => {
          const out = join(temp(), `${name}-fixed-grad-${i}.npy`);
          const file = model === 'model.onnx' ? grad(model) : layer(model);
          const r = envision(['grad', ...common(file), '--wrt', f.wrt, '--cotangent', grad('cotangent.npy'), '--out', out]);
          expect(r.code, r.stderr).toBe(0);
          return readNpy(out);
        }),
      );
      expect(maxRelativeError(outs[1]!, outs[0]!)).toBeLessThan(1e-5);
      expect(maxRelativeError(outs[0]!, await readNpy(grad('expected.npy')))).toBeLessThan(1e-4);
    });

    for (const [method, options] of [
      ['saliency', ['--option', 'abs=false']],
      ['ig', ['--option', 'steps=16']],
      ['gradshap', ['--option', 'baselines=[0]', '--option', 'samples=6', '--option', 'seed=3']],
      ['guided-backprop', []],
    ] as const) {
      it(`envision attribute --method ${method}`, async () => {
        const maps: Tensor[] = [];
        for (const [i, file] of [grad('model.onnx'), layer('model-fixed.onnx')].entries()) {
          const out = join(temp(), `${name}-fixed-${method}-${i}.npy`);
          const r = envision(['attribute', ...common(file), '--wrt', f.wrt, '--method', method, ...options, '--target-weights', grad('cotangent.npy'), '--out', out]);
          expect(r.code, r.stderr).toBe(0);
          maps.push(await readNpy(out));
        }
        expect(maps[1]!.shape).toEqual(maps[0]!.shape);
        expect(maxRelativeError(maps[1]!, maps[0]!)).toBeLessThan(1e-5);
      });
    }
  });
}

describe('a layer named by the adapter', () => {
  it("grad-cam with layer: lastStage uses the bundle's vision.layers name, as if the tensor were named", async () => {
    const { cpSync, writeFileSync: write } = await import('node:fs');
    const bundle = join(temp(), 'bundle-with-layers');
    cpSync(join(root, 'fixtures/tiny-dual'), bundle, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(bundle, 'envision.json'), 'utf8'));
    manifest.vision.layers = { lastStage: '/Relu_3_output_0' };
    write(join(bundle, 'envision.json'), JSON.stringify(manifest, null, 2));
    const maps: Tensor[] = [];
    for (const layer of ['lastStage', '/Relu_3_output_0']) {
      const out = join(temp(), `alias-${layer.replace(/\W/g, '')}`);
      const yaml = join(temp(), `alias-${layer.replace(/\W/g, '')}.yaml`);
      write(yaml, `model: { adapter: medclip, bundle: ${bundle} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}]\nmethods: [{ id: grad-cam, options: { layer: "${layer}" } }]\ntargets: [{ name: t, texts: [no finding, pleural effusion], fusion: { id: dot } }]\noutput: { dir: ${out} }\n`);
      const r = envision(['run', yaml]);
      expect(r.code, r.stderr).toBe(0);
      maps.push(await readNpy(join(out, 'cxr-a/grad-cam/t.npy')));
    }
    expect(maps[0]!.shape).toEqual([2, 3, 224, 224]);
    expect(Array.from(maps[0]!.data)).toEqual(Array.from(maps[1]!.data));
  });
});
