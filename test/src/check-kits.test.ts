// Every built-in plugin passes the check kit of its kind (issue 20, D): the kits are not stricter than the plugins the
// pipeline already trusts, and the plugins keep their contracts.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type AttributionMethod, checkAdapter, checkMethod } from '@envision/core';
import { occlusion } from '@envision/method-occlusion';
import { deconvnet, guidedBackprop, saliency } from '@envision/method-gb';
import { integratedGradients } from '@envision/method-ig';
import { gradientShap } from '@envision/method-gradshap';
import { gradCam, layerIg } from '@envision/method-layer';
import { rise } from '@envision/method-rise';
import { medclipAdapterPlugin } from '@envision/adapter-medclip';
import { root } from './cli.js';

const methods: [string, AttributionMethod<never>, Record<string, unknown>][] = [
  ['occlusion', occlusion as AttributionMethod<never>, { window: [3, 2, 2], strides: [3, 2, 2] }],
  ['saliency (signed)', saliency as AttributionMethod<never>, { abs: false }],
  ['saliency (abs)', saliency as AttributionMethod<never>, { abs: true }],
  ['guided-backprop', guidedBackprop as AttributionMethod<never>, {}],
  ['deconvnet', deconvnet as AttributionMethod<never>, {}],
  ['ig', integratedGradients as AttributionMethod<never>, { steps: 16 }],
  ['gradshap', gradientShap as AttributionMethod<never>, { baselines: [0, 0.5], samples: 4, stdevs: 0.05 }],
  ['grad-cam', gradCam as AttributionMethod<never>, { layer: 'a' }],
  ['layer-ig', layerIg as AttributionMethod<never>, { layer: 'a', steps: 8, upsample: 'bilinear' }],
  ['rise', rise as AttributionMethod<never>, { masks: 32, cells: 2 }],
];

describe('every built-in method passes checkMethod on its default model (layer methods at its tanh layer a)', () => {
  it.each(methods)('%s', async (_, method, options) => {
    const results = await checkMethod(method, { options: options as never });
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it("layer-ig's default (upsample: none) keeps the layer's shape [K, …A], as it declares (mapsShapedLikeInput)", async () => {
    const results = await checkMethod(layerIg as AttributionMethod<never>, { options: { layer: 'a', steps: 8 } as never });
    expect(results.find((r) => r.name === 'maps')).toEqual({ name: 'maps', ok: true, detail: 'float32 [2, 4, 8, 8], finite' });
  });

  it('names a method whose maps are not shaped like the input when it does not declare so', async () => {
    const undeclared = { ...layerIg, meta: { ...layerIg.meta, mapsShapedLikeInput: undefined } } as unknown as AttributionMethod<never>;
    await expect(checkMethod(undeclared, { options: { layer: 'a', steps: 8 } as never })).rejects.toThrow(
      'checkMethod(layer-ig) failed 1 of 6 checks: maps: method layer-ig returned maps of shape [2, 4, 8, 8] for 2 target rows and input [1, 3, 8, 8]: expected [2, 3, 8, 8]',
    );
  });
});

describe('the medclip adapter passes checkAdapter', () => {
  it.each(['tiny-dual', 'tiny-medclip'])('on fixtures/%s', async (bundle) => {
    const results = await checkAdapter(medclipAdapterPlugin, { bundle }, { baseDir: join(root, 'fixtures') });
    expect(results.map((r) => r.name)).toEqual(['load', 'preprocessImage', 'encodeImage', 'image batch', 'vjp', 'encodeText', 'text batch', 'logitScale', 'dispose']);
  });
});
