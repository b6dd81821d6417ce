import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Tensor, tensor, maxRelativeError } from '@envision/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedClipAdapter } from './adapter.js';
import { PromptClassifier } from './classifier.js';
import { chexpert5, covid, labels, rsna } from './prompts/sets.js';
import { TextEmbeddingCache } from './text-cache.js';

// fixtures/tiny-medclip: a tiny random-weight model with MedCLIP's architecture (Swin + BERT with MedCLIP's
// pooling) and torch's float32 outputs, written by scripts/dev/make_medclip_fixture.py.
const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const BUNDLE = join(FIXTURES, 'tiny-medclip');

interface ClassReference {
  indices: number[];
  prompts: string[];
  input_ids: number[][];
  attention_mask: number[][];
  text_embeds: number[][];
  prompt_logits: number[][];
}
interface Reference {
  images: string[];
  pixel_stats: { sum: number; sum_sq: number; every_997th: number[] }[];
  image_embeds: number[][];
  logit_scale: number;
  classes: Record<string, ClassReference>;
  logits: { max: number[][]; mean: number[][] };
}
const ref = JSON.parse(readFileSync(join(BUNDLE, 'reference.json'), 'utf8')) as Reference;


describe('tiny-medclip: the adapter reproduces torch', () => {
  let adapter: MedClipAdapter;
  let pixels: Tensor<'float32'>;
  const errors: Record<string, number> = {};

  beforeAll(async () => {
    adapter = await MedClipAdapter.load(BUNDLE, { textCache: new TextEmbeddingCache() });
    const each = await Promise.all(ref.images.map((f) => adapter.preprocessImage(join(FIXTURES, f))));
    const n = each[0]!.data.length;
    pixels = tensor('float32', [each.length, ...each[0]!.shape.slice(1)], new Float32Array(each.length * n));
    each.forEach((p, i) => pixels.data.set(p.data, i * n));
  });
  afterAll(async () => {
    await adapter.dispose();
    // The parity numbers, for the record.
    console.log(`tiny-medclip parity (max |Δ| / max |torch|): ${JSON.stringify(errors)}`);
  });

  it('preprocesses both images as PIL does (MedCLIPFeatureExtractor)', () => {
    const n = pixels.data.length / 2;
    ref.pixel_stats.forEach((stats, i) => {
      const p = pixels.data.subarray(i * n, (i + 1) * n);
      let sum = 0;
      let sumSq = 0;
      for (const v of p) {
        sum += v;
        sumSq += v * v;
      }
      expect(Math.abs(sum - stats.sum) / stats.sum_sq).toBeLessThan(1e-9);
      expect(Math.abs(sumSq - stats.sum_sq) / stats.sum_sq).toBeLessThan(1e-9);
      expect(stats.every_997th.map((_, k) => p[k * 997])).toEqual(stats.every_997th);
    });
  });

  it('embeds the images as one batch (1e-5 relative)', async () => {
    const embeds = await adapter.encodeImage(pixels);
    expect(embeds.shape).toEqual([2, 64]);
    errors['image_embeds'] = maxRelativeError(embeds.data, ref.image_embeds.flat());
    expect(errors['image_embeds']).toBeLessThan(1e-5);
  });

  it('uses the CheXpert prompts it claims to', () => {
    for (const [name, c] of Object.entries(ref.classes)) expect(c.indices.map((i) => chexpert5[name]![i])).toEqual(c.prompts);
  });

  it('tokenizes each class’s prompts as torch’s batch', () => {
    for (const c of Object.values(ref.classes)) {
      const { ids, mask } = adapter.tokenize(c.prompts);
      expect(ids.shape).toEqual([c.prompts.length, c.input_ids[0]!.length]);
      expect(Array.from(ids.data, Number)).toEqual(c.input_ids.flat());
      expect(Array.from(mask.data, Number)).toEqual(c.attention_mask.flat());
    }
    // the two prompts of a class differ in length: the shorter one is padded
    expect(ref.classes['Cardiomegaly']!.attention_mask[0]).toContain(0);
  });

  it('embeds each class’s prompts as one padded batch (1e-5 relative)', async () => {
    for (const [name, c] of Object.entries(ref.classes)) {
      const embeds = await adapter.encodeText(c.prompts);
      errors[`text_embeds ${name}`] = maxRelativeError(embeds.data, c.text_embeds.flat());
      expect(errors[`text_embeds ${name}`]).toBeLessThan(1e-5);
    }
  });

  for (const ensemble of ['max', 'mean'] as const) {
    it(`classifies as MedCLIP’s PromptClassifier, ensemble ${ensemble} (1e-5 relative)`, async () => {
      const prompts = Object.fromEntries(Object.entries(ref.classes).map(([k, c]) => [k, c.prompts]));
      const results = await new PromptClassifier(adapter, { ensemble }).classify(pixels, prompts);
      const logits = results.flatMap((r) => r.classes.map((c) => c.logit));
      errors[`logits ${ensemble}`] = maxRelativeError(logits, ref.logits[ensemble].flat());
      expect(errors[`logits ${ensemble}`]).toBeLessThan(1e-5);
      const promptLogits = results.flatMap((r) => r.classes.flatMap((c) => c.promptLogits));
      const expected = ref.logits[ensemble].flatMap((_, b) => Object.values(ref.classes).flatMap((c) => c.prompt_logits[b]!));
      expect(maxRelativeError(promptLogits, expected)).toBeLessThan(1e-5);
      results.forEach((r, b) => {
        const row = ref.logits[ensemble][b]!;
        expect(r.predicted).toBe(Object.keys(ref.classes)[row.indexOf(Math.max(...row))]);
      });
    });
  }

  it('tokenizes every built-in prompt without [UNK] (the fixture vocabulary covers MedCLIP’s term lists)', () => {
    const unk = adapter.bundle.vocab.indexOf('[UNK]');
    for (const set of [chexpert5, covid, rsna, labels]) {
      for (const prompts of Object.values(set)) expect(Array.from(adapter.tokenize(prompts).ids.data, Number)).not.toContain(unk);
    }
  });
});
