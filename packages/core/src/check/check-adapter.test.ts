import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import type { AdapterPlugin } from '../adapter.js';
import { checkAdapter } from './check-adapter.js';
import { type Breakage, type DualOptions, dualPlugin, tinyDual } from './dual-adapter.test-support.js';
import { failedChecks } from './failed-checks.test-support.js';

const context = { baseDir: dirname(tinyDual) };
const options = { bundle: 'tiny-dual' };
const check = (breakage?: Breakage, extra = {}) => checkAdapter(dualPlugin(breakage), options, { ...context, ...extra });

/** The plugin, counting how often its adapters are disposed. */
function counting(plugin: AdapterPlugin<DualOptions>): { plugin: AdapterPlugin<DualOptions>; disposed: () => number } {
  let n = 0;
  return {
    plugin: {
      ...plugin,
      load: async (o, c) => {
        const adapter = await plugin.load(o, c);
        return { ...adapter, preprocessImage: (f) => adapter.preprocessImage(f), encodeImage: (p) => adapter.encodeImage(p), encodeText: (t) => adapter.encodeText(t), dispose: async () => { n++; await adapter.dispose!(); } };
      },
    },
    disposed: () => n,
  };
}

describe('checkAdapter on a correct adapter (the tiny-dual MedCLIP-layout bundle)', () => {
  it('passes on a generated PNG, and disposes the adapter', async () => {
    const { plugin, disposed } = counting(dualPlugin());
    const results = await checkAdapter(plugin, options, context);
    expect(results.map((r) => r.name)).toEqual(['load', 'preprocessImage', 'encodeImage', 'image batch', 'vjp', 'encodeText', 'text batch', 'logitScale', 'dispose']);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.find((r) => r.name === 'preprocessImage')!.detail).toBe('float32 [1, 3, 224, 224], finite');
    expect(results.find((r) => r.name === 'encodeImage')!.detail).toBe('float32 [1, 32], finite');
    expect(results.find((r) => r.name === 'vjp')!.detail).toMatch(/^directional derivative against central differences \(h = [\d.e+-]+\): [\d.e+-]+ \(tolerance 1e-2\)$/);
    expect(disposed()).toBe(1);
  });

  it('passes on an image of the caller (a phantom chest X-ray)', async () => {
    const results = await check(undefined, { image: join(dirname(tinyDual), 'images/cxr-a.png') });
    expect(results.every((r) => r.ok)).toBe(true);
  });
});

describe('checkAdapter on broken adapters names the failed check', () => {
  it('encodeImage, encodeText: an embeddingDim one too large', async () => {
    expect(await failedChecks(check('embeddingDim'))).toEqual(['encodeImage', 'encodeText']);
    await expect(check('embeddingDim')).rejects.toThrow('encodeImage: the image embedding is [1, 32], expected [1, 33]');
  });

  it('text batch: encodeText pads a batch further than its longest text', async () => {
    expect(await failedChecks(check('padsBatches'))).toEqual(['text batch']);
  });

  it('text batch: texts of different lengths on a model that pools over padding, with a hint', async () => {
    const kit = check(undefined, { texts: ['normal', 'pleural effusion'] });
    await expect(kit).rejects.toThrow(/text batch: encodeText of both against each alone: .* \(the texts are 3 and 4 tokens: a model that pools over padding/);
  });

  it('vjp: a vision model without gradients', async () => {
    expect(await failedChecks(check('forwardOnly'))).toEqual(['vjp']);
    await expect(check('forwardOnly')).rejects.toThrow('vjp: vision.model has no vjp: load it with DifferentiableOnnxModel.load');
  });

  it('preprocessImage: NaN pixels, and the image checks that need them are not run', async () => {
    expect(await failedChecks(check('nanPixels'))).toEqual(['encodeImage', 'image batch', 'preprocessImage', 'vjp']);
    await expect(check('nanPixels')).rejects.toThrow('preprocessImage: pixels holds NaN at flat index 0; encodeImage: not checked: preprocessImage failed');
  });

  it('load: a plugin that cannot load, its error the cause', async () => {
    await expect(check('throwsOnLoad')).rejects.toMatchObject({ code: 'E_CHECK', message: expect.stringMatching(/^checkAdapter\(tiny-dual-throwsOnLoad\) failed 1 of 1 checks: load: load threw: no bundle at /), cause: expect.any(Error) });
  });

  it('dispose: a dispose that throws; a failing adapter is disposed too', async () => {
    expect(await failedChecks(check('disposeThrows'))).toEqual(['dispose']);
    const { plugin, disposed } = counting(dualPlugin('embeddingDim'));
    await expect(checkAdapter(plugin, options, context)).rejects.toMatchObject({ code: 'E_CHECK' });
    expect(disposed()).toBe(1);
  });
});
