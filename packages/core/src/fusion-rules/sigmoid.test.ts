import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { sigmoidFusion } from './sigmoid.js';
import { checkFusionCotangents, sampleFusionInput } from '../check/fusion-cotangents.js';

describe('sigmoid fusion', () => {
  it('gives σ(τ·cos + b) per text, each on its own (hand-computed)', () => {
    const input = {
      imageEmbedding: Float32Array.of(3, 4),
      textEmbeddings: tensor('float32', [2, 2], Float32Array.of(1, 0, 0, 2)),
      logitScale: Math.log(10),
      logitBias: -7,
      options: { logits: 'cosine' as const },
    };
    const p = sigmoidFusion.scores(input);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-(6 - 7))), 6);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-(8 - 7))), 6);
  });
  it('has cotangents equal to finite differences of its scores, with and without a bias', () => {
    for (const logitBias of [0, -3]) {
      for (const logits of ['cosine', 'dot'] as const) {
        const input = { ...sampleFusionInput({ logits }, 4), logitScale: Math.log(2), logitBias };
        expect(checkFusionCotangents(sigmoidFusion, input, 1e-3)).toBeLessThan(2e-3);
      }
    }
  });
  it('stays finite where the logit saturates', () => {
    const input = { ...sampleFusionInput({ logits: 'cosine' as const }), logitBias: -1000 };
    expect(Array.from(sigmoidFusion.scores(input)).every((p) => p >= 0 && p < 1e-30)).toBe(true);
    expect(Array.from(sigmoidFusion.cotangents(input).data).every(Number.isFinite)).toBe(true);
  });
});
