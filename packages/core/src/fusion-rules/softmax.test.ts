import { describe, it, expect } from 'vitest';
import { softmaxFusion } from './softmax.js';
import { checkFusionCotangents, sampleFusionInput } from '../check/fusion-cotangents.js';

describe('softmax fusion', () => {
  it('gives probabilities that sum to one, with cotangents equal to finite differences', () => {
    for (const logits of ['cosine', 'dot'] as const) {
      const input = sampleFusionInput({ logits }, 4);
      const p = softmaxFusion.scores(input);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(checkFusionCotangents(softmaxFusion, input, 1e-3)).toBeLessThan(2e-3);
    }
  });
  it('has cotangent rows that sum to zero (the probabilities always sum to one)', () => {
    const input = sampleFusionInput({ logits: 'cosine' as const }, 4);
    const c = softmaxFusion.cotangents(input);
    const m = input.imageEmbedding.length;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let r = 0; r < 4; r++) s += c.data[r * m + i]!;
      expect(Math.abs(s)).toBeLessThan(1e-6);
    }
  });
});
