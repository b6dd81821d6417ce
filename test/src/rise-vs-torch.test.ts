// RISE against torch: fixtures/methods/rise/ holds float64 torch references computed by scripts/dev/make_rise_fixtures.py
// with exactly the masks @envision/method-rise draws (exported by scripts/dev/export_rise_masks.mjs), on the ResNet
// and Swin fixtures. That script also rebuilt every mask with the authors' resize (skimage → scipy.ndimage.zoom) from
// the same grids and shifts: identical to the last bit (manifest checks). Here the masks' sha256 pins the draws.
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OnnxModel, attribute, maxRelativeError, readNpy, type AttributionMethod, type Tensor } from '@envision/core';
import { drawRiseMasks, riseMask, rise } from '@envision/method-rise';

const dir = fileURLToPath(new URL('../../fixtures/methods/rise/', import.meta.url));
interface Options {
  masks: number;
  cells: number;
  probability: number;
  baseline: number;
  seed: number;
}
interface Case {
  model: string;
  onnx: string;
  input: string;
  input_name: string;
  output_name: string;
  weights: string;
  options: Options;
  expected: string;
  masksSha256: string;
}
interface MaskCase extends Omit<Options, 'baseline'> {
  height: number;
  width: number;
  sha256: string;
  maxAbsDiffVsAuthorsResize: number;
}
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8')) as { cases: Record<string, Case>; masks: Record<string, MaskCase> };

/** sha256 of the float32 masks [N, H, W], as make_rise_fixtures.py hashes numpy's bytes (little-endian). */
function masksSha256(o: Omit<Options, 'baseline'>, height: number, width: number): string {
  const d = drawRiseMasks(o.masks, o.cells, o.probability, height, width, o.seed);
  const all = new Float32Array(o.masks * height * width);
  for (let n = 0; n < o.masks; n++) riseMask(d, n, all.subarray(n * height * width, (n + 1) * height * width));
  return createHash('sha256').update(new Uint8Array(all.buffer)).digest('hex');
}

describe('rise draws the masks the references were computed with', () => {
  for (const [name, c] of Object.entries(manifest.masks)) {
    it(`${name}: ${c.height}×${c.width}, s = ${c.cells}: same masks (equal to the authors' resize: max diff ${c.maxAbsDiffVsAuthorsResize})`, () => {
      expect(masksSha256(c, c.height, c.width)).toBe(c.sha256);
      expect(c.maxAbsDiffVsAuthorsResize).toBe(0);
    });
  }
});

describe('rise matches torch (float64, the same masks) to 1e-4 relative', () => {
  const models = new Map<string, OnnxModel>();
  const data = new Map<string, Tensor<'float32'>>();
  const load = async (path: string) => {
    if (!data.has(path)) data.set(path, (await readNpy(dir + path)) as Tensor<'float32'>);
    return data.get(path)!;
  };
  beforeAll(async () => {
    for (const c of Object.values(manifest.cases)) if (!models.has(c.onnx)) models.set(c.onnx, await OnnxModel.load(dir + c.onnx));
  });

  for (const [name, c] of Object.entries(manifest.cases)) {
    const { masks, cells, probability, baseline, seed } = c.options;
    it(`${name}: N ${masks}, s ${cells}, p ${probability}, baseline ${baseline}; direct with 16 per eval, jacobian with 64`, async () => {
      const x = await load(c.input);
      expect(masksSha256(c.options, x.shape[2]!, x.shape[3]!)).toBe(c.masksSha256);
      const weights = await load(c.weights);
      const expected = await load(c.expected);
      for (const [strategy, perturbationsPerEval] of [['direct', 16], ['jacobian', 64]] as const) {
        const result = await attribute({
          method: rise as unknown as AttributionMethod,
          options: { ...c.options, perturbationsPerEval },
          model: models.get(c.onnx)!,
          inputs: { [c.input_name]: x },
          wrt: c.input_name,
          of: c.output_name,
          weights,
          strategy,
        });
        expect(result.maps.shape).toEqual(expected.shape);
        expect(maxRelativeError(result.maps, expected), `${name} ${strategy}`).toBeLessThan(1e-4);
      }
    });
  }
});
