import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '@envision/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedClipAdapter } from '../adapter.js';
import { loadBundle } from '../bundle.js';
import { TextEmbeddingCache } from '../text-cache.js';
import { expectImageParity, expectTextParity, pattern } from './parity.test-support.js';
import { type ImportMedClipResult, importMedClip } from './index.js';

// fixtures/checkpoints: a reduced MedCLIP-ResNet checkpoint saved by torch.save (zip in a zip, like the official
// download) and float64 torch embeddings, from scripts/dev/make_medclip_checkpoints.py.
const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));
const CHECKPOINTS = join(FIXTURES, 'checkpoints');
interface Reference {
  logitScale: number;
  embeddingDim: number;
  keys: number;
  images: { input: string; embedding: number[] }[];
  texts: { texts: string[]; ids: number[][]; mask: number[][]; embeddings: number[][] }[];
}
const ref = JSON.parse(readFileSync(join(CHECKPOINTS, 'reference.json'), 'utf8')) as Reference;

describe('importMedClip: a reduced MedCLIP-ResNet checkpoint', () => {
  let dir: string;
  let result: ImportMedClipResult;
  let adapter: MedClipAdapter;
  const errors: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'envision-import-'));
    result = await importMedClip({ checkpoint: join(CHECKPOINTS, 'medclip-resnet-tiny.zip'), vocab: join(CHECKPOINTS, 'vocab.txt'), out: join(dir, 'bundle') });
    adapter = await MedClipAdapter.load(result.out, { textCache: new TextEmbeddingCache() });
  });
  afterAll(async () => {
    await adapter?.dispose();
    rmSync(dir, { recursive: true, force: true });
    console.info('import parity (max |Δ| / max |ref|):', errors);
  });

  it('writes the bundle files and a manifest read from the checkpoint', () => {
    expect(readdirSync(result.out).sort()).toEqual(['envision.json', 'text.onnx', 'vision.onnx', 'vocab.txt']);
    expect(readdirSync(dir)).toEqual(['bundle']); // no temporary folder left
    expect(result.tensors).toBe(ref.keys);
    const m = result.manifest;
    expect(m.variant).toBe('resnet');
    expect(m.embeddingDim).toBe(ref.embeddingDim);
    expect(m.logitScale).toBe(ref.logitScale);
    expect(m.tokenizer).toEqual({ vocab: 'vocab.txt', lowercase: false, maxLength: 77 });
    expect(m.image).toEqual({ size: 224, mean: 0.5862785803043838, std: 0.27950088968644304, resample: 'bicubic' });
    expect(readFileSync(join(result.out, 'vocab.txt'))).toEqual(readFileSync(join(CHECKPOINTS, 'vocab.txt')));
  });

  it('image embeddings match torch (float64) to 1e-4 relative', async () => {
    Object.assign(errors, await expectImageParity(adapter, ref, FIXTURES, 1e-4));
  });

  it('text embeddings match torch (float64) to 1e-4 relative, tokenised by the bundle', async () => {
    Object.assign(errors, await expectTextParity(adapter, ref, 1e-4));
  });

  it('the imported vision model is differentiable: a VJP matches central differences along a direction', async () => {
    const bundle = await loadBundle(result.out);
    try {
      const x = pattern();
      const dir = x; // a smooth direction: the input itself
      const cot = tensor('float32', [1, ref.embeddingDim], new Float32Array(ref.embeddingDim).map((_, i) => Math.cos(i)));
      const { gradient } = await bundle.vision.vjp({ pixel_values: x }, 'image_embeds', 'pixel_values', cot);
      let analytic = 0;
      for (let i = 0; i < x.data.length; i++) analytic += gradient.data[i]! * dir.data[i]!;
      const f = async (h: number) => {
        const y = (await bundle.vision.run({ pixel_values: tensor('float32', x.shape, x.data.map((v, i) => v + h * dir.data[i]!)) })).image_embeds!;
        return (y.data as Float32Array).reduce((a, v, i) => a + v * cot.data[i]!, 0);
      };
      // The ReLU/max-pool kinks crossed within ±h make the difference quotient rough (≈ 1 % at h = 0.01, noisier
      // below from float32): a smoke check that the gradient engine takes the imported graph, not a precise one.
      const h = 0.01;
      const numeric = ((await f(h)) - (await f(-h))) / (2 * h);
      errors['vjp vs central difference'] = Math.abs(analytic - numeric) / Math.abs(numeric);
      expect(Math.abs(analytic - numeric)).toBeLessThan(0.05 * Math.abs(numeric));
    } finally {
      await Promise.all([bundle.vision.dispose(), bundle.text.dispose()]);
    }
  });

  it('refuses an existing output folder, and leaves nothing when the checkpoint is bad', async () => {
    await expect(importMedClip({ checkpoint: join(CHECKPOINTS, 'medclip-resnet-tiny.zip'), vocab: join(CHECKPOINTS, 'vocab.txt'), out: result.out })).rejects.toMatchObject({
      code: 'E_FILE',
      message: expect.stringContaining('already exists'),
    });
    const out = join(dir, 'bad');
    await expect(importMedClip({ checkpoint: join(CHECKPOINTS, 'vocab.txt'), vocab: join(CHECKPOINTS, 'vocab.txt'), out })).rejects.toMatchObject({ code: 'E_FILE' });
    expect(existsSync(out)).toBe(false);
    await expect(importMedClip({ checkpoint: join(CHECKPOINTS, 'medclip-resnet-tiny.zip'), vocab: join(CHECKPOINTS, 'vocab.txt'), out, variant: 'vit' })).rejects.toMatchObject({
      code: 'E_BUNDLE',
      message: expect.stringContaining("variant 'vit' was asked for, but the keys are MedCLIP's 'resnet' variant"),
    });
    expect(readdirSync(dir).sort()).toEqual(['bundle']);
  });
});
