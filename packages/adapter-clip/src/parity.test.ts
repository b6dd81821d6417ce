// The clip adapter against scripts/dev/make_clip_fixtures.py: pixels as transformers' processors compute them (PIL +
// numpy), token ids from the Rust tokenizers (scripts/dev/clip_token_goldens.mjs), embeddings, logits and
// probabilities from the torch models the ONNX files were exported from.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ZeroShotClassifier, maxAbsoluteError, maxRelativeError, readNpy } from '@envision/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipAdapter } from './adapter.js';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

interface Reference {
  prompts: string[];
  input_ids: number[][];
  attention_mask: number[][] | null;
  logit_scale: number;
  logit_bias?: number | null;
  images: Record<string, { image: string; pixels: string; image_embeds: string; logits: number[]; probs: number[] }>;
}
interface Tokens {
  texts: string[];
  unpadded: number[][];
  input_ids: number[][];
  attention_mask: number[][];
}

for (const name of ['tiny-clip', 'tiny-siglip'] as const) {
  describe(`${name}: the clip adapter reproduces torch and the HF processors`, () => {
    const dir = root(`fixtures/${name}`);
    const ref = JSON.parse(readFileSync(`${dir}/reference/reference.json`, 'utf8')) as Reference;
    const tokens = JSON.parse(readFileSync(`${dir}/reference/tokens.json`, 'utf8')) as Tokens;
    let adapter: ClipAdapter;
    beforeAll(async () => {
      adapter = await ClipAdapter.load({ dir });
    });
    afterAll(() => adapter.dispose());

    it('reads the logit scale (and bias) from model.safetensors, not from config.json', () => {
      expect(adapter.logitScale).toBe(ref.logit_scale);
      expect(adapter.logitBias).toBe(ref.logit_bias ?? undefined); // CLIP has none (null in the reference)
      expect(adapter.scoring).toBe(name === 'tiny-siglip' ? 'sigmoid' : 'softmax');
    });

    it('tokenises each text as the Rust tokenizers do, and pads and truncates as Python HF does', () => {
      tokens.texts.forEach((text, k) => {
        const row = adapter.tokenize([text]);
        const expected = name === 'tiny-siglip' ? tokens.input_ids[k]! : tokens.input_ids[k]!.filter((_, i) => tokens.attention_mask[k]![i] === 1);
        expect(Array.from(row.ids.data, Number), JSON.stringify(text)).toEqual(expected);
      });
      const batch = adapter.tokenize(tokens.texts);
      expect(batch.ids.shape).toEqual([tokens.texts.length, tokens.input_ids[0]!.length]);
      expect(Array.from(batch.ids.data, Number)).toEqual(tokens.input_ids.flat());
      expect(Array.from(batch.mask.data, Number)).toEqual(tokens.attention_mask.flat());
    });

    for (const [image, r] of Object.entries(ref.images)) {
      it(`${image}: pixel values equal the processor's to 1e-6, the image embedding torch's to 1e-5`, async () => {
        const pixels = await adapter.preprocessImage(root(r.image));
        const expected = await readNpy(`${dir}/reference/${r.pixels}`);
        expect(pixels.shape).toEqual(expected.shape);
        expect(maxAbsoluteError(pixels, expected)).toBeLessThan(1e-6);
        const embeds = await adapter.encodeImage(pixels);
        expect(maxRelativeError(embeds, await readNpy(`${dir}/reference/${r.image_embeds}`))).toBeLessThan(1e-5);
      });

      it(`${image}: logits and probabilities equal torch's`, async () => {
        const classes = Object.fromEntries(ref.prompts.map((p) => [p, [p]]));
        const [result] = await new ZeroShotClassifier(adapter).classify(await adapter.preprocessImage(root(r.image)), classes);
        result!.classes.forEach((c, k) => {
          expect(c.logit).toBeCloseTo(r.logits[k]!, 4);
          // CLIP's probabilities are a softmax over the prompts, SigLIP's a sigmoid per pair
          expect(c.probability).toBeCloseTo(r.probs[k]!, 5);
        });
      });
    }

    it("embeds the prompts as one padded batch as torch does, feeding the mask only when the model takes one", async () => {
      const batch = adapter.tokenize(ref.prompts);
      expect(Array.from(batch.ids.data, Number)).toEqual(ref.input_ids.flat());
      const embeds = await adapter.encodeText(ref.prompts);
      expect(maxRelativeError(embeds, await readNpy(`${dir}/reference/text_embeds.npy`))).toBeLessThan(1e-5);
    });
  });
}
