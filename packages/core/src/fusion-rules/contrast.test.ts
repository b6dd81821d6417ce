import { describe, it, expect } from 'vitest';
import { contrastFusion } from './contrast.js';
import { cosineFusion } from './cosine.js';
import { checkFusionCotangents, sampleFusionInput } from '../check/fusion-cotangents.js';

describe('contrast fusion', () => {
  it('is s_A − s_B with cotangent c_A − c_B, one row', () => {
    const input = sampleFusionInput({ logits: 'cosine' as const }, 2);
    const s = cosineFusion.scores({ ...input, options: {} });
    expect(contrastFusion.scores(input)[0]).toBeCloseTo(s[0]! - s[1]!, 5);
    expect(contrastFusion.cotangents(input).shape).toEqual([1, 6]);
    expect(checkFusionCotangents(contrastFusion, input)).toBeLessThan(1e-3);
  });
  it('refuses anything but two texts', () => {
    expect(() => contrastFusion.scores(sampleFusionInput({ logits: 'dot' as const }, 3))).toThrow('the contrast fusion needs exactly 2 texts (A, B), got 3');
  });
});
