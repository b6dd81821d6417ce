// Test support (not built, not shipped): the parity checks of an imported bundle against the float64 torch embeddings
// that scripts/dev/make_medclip_checkpoints.py writes beside each checkpoint fixture.
import { join } from 'node:path';
import { type Tensor, maxRelativeError, tensor } from '@envision/core';
import { expect } from 'vitest';
import type { MedClipAdapter } from '../adapter.js';

/** What a reference JSON holds that the parity checks read. */
export interface ParityReference {
  readonly embeddingDim: number;
  readonly images: readonly { readonly input: string; readonly embedding: readonly number[] }[];
  readonly texts: readonly { readonly texts: string[]; readonly ids: number[][]; readonly mask: number[][]; readonly embeddings: number[][] }[];
}

/** The synthetic input of the reference script: sin(0.05 h (c + 1)) cos(0.03 w) + 0.1 c, float32 [1, 3, 224, 224]. */
export function pattern(): Tensor<'float32'> {
  const data = new Float32Array(3 * 224 * 224);
  for (let c = 0; c < 3; c++) for (let h = 0; h < 224; h++) for (let w = 0; w < 224; w++) data[(c * 224 + h) * 224 + w] = Math.sin(0.05 * h * (c + 1)) * Math.cos(0.03 * w) + 0.1 * c;
  return tensor('float32', [1, 3, 224, 224], data);
}

/**
 * Each reference image's embedding against torch's, each below `bound` (max |Δ| / max |ref|).
 * @returns the error per image input, for the log
 */
export async function expectImageParity(adapter: MedClipAdapter, ref: ParityReference, fixtures: string, bound: number): Promise<Record<string, number>> {
  const errors: Record<string, number> = {};
  for (const image of ref.images) {
    const pixels = image.input === 'pattern' ? pattern() : await adapter.preprocessImage(join(fixtures, image.input));
    const got = await adapter.encodeImage(pixels);
    expect(got.shape).toEqual([1, ref.embeddingDim]);
    errors[image.input] = maxRelativeError(got.data, image.embedding);
    expect(errors[image.input]).toBeLessThan(bound);
  }
  return errors;
}

/**
 * Each reference text batch tokenised exactly as torch's, and its embeddings against torch's, each below `bound`.
 * @returns the error per batch, for the log
 */
export async function expectTextParity(adapter: MedClipAdapter, ref: ParityReference, bound: number): Promise<Record<string, number>> {
  const errors: Record<string, number> = {};
  for (const [i, batch] of ref.texts.entries()) {
    const tokens = adapter.tokenize(batch.texts);
    expect(Array.from(tokens.ids.data, Number)).toEqual(batch.ids.flat());
    expect(Array.from(tokens.mask.data, Number)).toEqual(batch.mask.flat());
    const got = await adapter.encodeText(batch.texts);
    const key = `text batch ${i} [${batch.ids.length}×${batch.ids[0]!.length}]`;
    errors[key] = maxRelativeError(got.data, batch.embeddings.flat());
    expect(errors[key]).toBeLessThan(bound);
  }
  return errors;
}
