import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, tensor } from '@envision/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedClipAdapter } from './adapter.js';
import { medclipAdapterPlugin } from './plugin.js';
import { TextEmbeddingCache } from './text-cache.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/tiny-dual', import.meta.url));

interface Reference {
  prompts: string[];
  input_ids: number[][];
  attention_mask: number[][];
  text_embeds: number[][];
  image: string;
  image_embeds: number[][];
}
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as Reference;
// reference.image is relative to the fixtures folder
const referenceImage = join(dirname(FIXTURE), reference.image);

/** Largest |a − b| / max(|b|, 1e-3) over all elements. */
function maxRelDiff(a: ArrayLike<number>, b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-3));
  return m;
}

describe('MedClipAdapter on the tiny-dual fixture', () => {
  let adapter: MedClipAdapter;
  const cache = new TextEmbeddingCache();

  beforeAll(async () => {
    adapter = await MedClipAdapter.load(FIXTURE, { textCache: cache });
  });
  afterAll(async () => {
    await adapter.dispose();
  });

  it('exposes the manifest facts', () => {
    expect(adapter.id).toBe('medclip');
    expect(adapter.embeddingDim).toBe(32);
    expect(adapter.logitScale).toBeCloseTo(2.6592600345611572, 12);
    expect(adapter.vision.input).toBe('pixel_values');
    expect(adapter.vision.output).toBe('image_embeds');
    expect(adapter.vision.model).toBe(adapter.bundle.vision);
    expect(Object.keys(adapter.promptSets)).toEqual(['chexpert5', 'covid', 'rsna', 'labels']);
    expect(adapter.promptSets['chexpert5']!['Atelectasis']).toHaveLength(210);
  });

  it('clamps the logit scale to [0, ln 100] as MedCLIP does, so fusion and classification share one temperature', () => {
    const withScale = (logitScale: number) => new MedClipAdapter({ ...adapter.bundle, manifest: { ...adapter.bundle.manifest, logitScale } });
    expect(withScale(6).logitScale).toBe(4.6052);
    expect(withScale(-1).logitScale).toBe(0);
    expect(withScale(3.25).logitScale).toBe(3.25);
  });

  it('tokenizes the reference prompts exactly', () => {
    const { ids, mask } = adapter.tokenize(reference.prompts);
    const k = reference.prompts.length;
    const l = reference.input_ids[0]!.length;
    expect(ids.shape).toEqual([k, l]);
    expect(mask.shape).toEqual([k, l]);
    expect(Array.from(ids.data, Number)).toEqual(reference.input_ids.flat());
    expect(Array.from(mask.data, Number)).toEqual(reference.attention_mask.flat());
  });

  it('embeds the reference prompts as one batch (1e-5 relative)', async () => {
    const embeds = await adapter.encodeText(reference.prompts);
    expect(embeds.shape).toEqual([3, 32]);
    expect(maxRelDiff(embeds.data, reference.text_embeds.flat())).toBeLessThan(1e-5);
  });

  it('depends on the batch: a prompt alone is padded differently', async () => {
    const alone = await adapter.encodeText([reference.prompts[1]!]);
    const inBatch = reference.text_embeds[1]!;
    expect(maxRelDiff(alone.data, inBatch)).toBeGreaterThan(1e-3);
  });

  it('caches per (bundle, exact batch) and returns copies', async () => {
    const first = await adapter.encodeText(reference.prompts);
    first.data[0] = 1234;
    const again = await adapter.encodeText(reference.prompts);
    expect(again.data[0]).not.toBe(1234);
    expect(maxRelDiff(again.data, reference.text_embeds.flat())).toBeLessThan(1e-5);
    expect(cache.size).toBe(2);
  });

  it('preprocesses the reference image as PIL does (reference_pixels.npy)', async () => {
    const pixels = await adapter.preprocessImage(referenceImage);
    const ref = await readNpy(join(FIXTURE, 'reference_pixels.npy'));
    expect(pixels.shape).toEqual(ref.shape);
    let maxAbs = 0;
    for (let i = 0; i < ref.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(pixels.data[i]! - Number(ref.data[i]!)));
    // In grey levels (0–255 before normalisation): normalised difference × std × 255.
    const greyLevels = maxAbs * 0.27950088968644304 * 255;
    // The only difference is the last float32 bit of the rescale: the fixture divides by 255, MedCLIP's
    // transformers (≥ 4.22) multiplies by float32(1/255), as this package does.
    expect(greyLevels).toBeLessThan(1e-4);
  });

  it('embeds the reference image', async () => {
    const pixels = await adapter.preprocessImage(referenceImage);
    const embeds = await adapter.encodeImage(pixels);
    expect(embeds.shape).toEqual([1, 32]);
    expect(maxRelDiff(embeds.data, reference.image_embeds.flat())).toBeLessThan(1e-4);
  });

  it('embeds a batch of images', async () => {
    const one = await adapter.preprocessImage(referenceImage);
    const two = tensor('float32', [2, 3, 224, 224], new Float32Array(2 * one.data.length));
    two.data.set(one.data, 0);
    two.data.set(one.data, one.data.length);
    const embeds = await adapter.encodeImage(two);
    expect(embeds.shape).toEqual([2, 32]);
    expect(Array.from(embeds.data.subarray(32))).toEqual(Array.from(embeds.data.subarray(0, 32)));
  });

  it('rejects pixels of the wrong shape with a one-line message', async () => {
    await expect(adapter.encodeImage(tensor('float32', [1, 1, 224, 224], new Float32Array(224 * 224)))).rejects.toThrow(
      'medclip encodeImage: pixels must be [B, 3, 224, 224], got [1, 1, 224, 224]',
    );
  });

  it('reports a missing image as E_IMAGE', async () => {
    await expect(adapter.preprocessImage(join(FIXTURE, 'missing.png'))).rejects.toMatchObject({ code: 'E_IMAGE' });
  });
});

describe('medclipAdapterPlugin', () => {
  it('declares its id and options', () => {
    expect(medclipAdapterPlugin.meta.id).toBe('medclip');
    expect(medclipAdapterPlugin.meta.optionsSchema['required']).toEqual(['bundle']);
  });

  it('loads a bundle relative to baseDir', async () => {
    const adapter = await medclipAdapterPlugin.load({ bundle: 'tiny-dual' }, { baseDir: dirname(FIXTURE) });
    try {
      expect(adapter.id).toBe('medclip');
      expect(adapter.embeddingDim).toBe(32);
    } finally {
      await adapter.dispose?.();
    }
  });

  it('passes the pixel limit on', async () => {
    const adapter = await medclipAdapterPlugin.load({ bundle: FIXTURE, limitInputPixels: 1000 }, { baseDir: '/' });
    try {
      await expect(adapter.preprocessImage(referenceImage)).rejects.toThrow(/over the limit of 1000 \(option limitInputPixels\)/);
    } finally {
      await adapter.dispose?.();
    }
  });

  it('names a bundle folder that does not exist', async () => {
    await expect(medclipAdapterPlugin.load({ bundle: 'nope' }, { baseDir: '/tmp' })).rejects.toMatchObject({
      code: 'E_BUNDLE',
      message: 'bundle folder /tmp/nope does not exist',
    });
  });
});
