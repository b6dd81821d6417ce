import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { cosineFusion } from './cosine.js';
import { checkFusionCotangents, sampleFusionInput } from '../check/fusion-cotangents.js';

describe('cosine fusion', () => {
  it("gives MedCLIP's logit τ·cos (hand-computed)", () => {
    const input = { imageEmbedding: Float32Array.of(3, 4), textEmbeddings: tensor('float32', [2, 2], Float32Array.of(1, 0, 0, 2)), logitScale: Math.log(10), options: {} };
    const s = cosineFusion.scores(input);
    expect(s[0]).toBeCloseTo(10 * 0.6, 5);
    expect(s[1]).toBeCloseTo(10 * 0.8, 5);
  });
  it("adds the model's logit bias to the score, not to the cotangent (SigLIP's τ·cos + b)", () => {
    const input = { imageEmbedding: Float32Array.of(3, 4), textEmbeddings: tensor('float32', [2, 2], Float32Array.of(1, 0, 0, 2)), logitScale: Math.log(10), options: {} };
    const biased = { ...input, logitBias: -2.5 };
    const s = cosineFusion.scores(biased);
    expect(s[0]).toBeCloseTo(10 * 0.6 - 2.5, 5);
    expect(s[1]).toBeCloseTo(10 * 0.8 - 2.5, 5);
    expect(Array.from(cosineFusion.cotangents(biased).data)).toEqual(Array.from(cosineFusion.cotangents(input).data));
  });
  it('has cotangents equal to finite differences of its scores', () => {
    expect(checkFusionCotangents(cosineFusion, sampleFusionInput({}))).toBeLessThan(1e-3);
  });
  it('does not change when the image embedding is scaled (its cotangent is orthogonal to e)', () => {
    const input = sampleFusionInput({});
    const scaled = { ...input, imageEmbedding: input.imageEmbedding.map((v) => 3 * v) };
    const a = cosineFusion.scores(input);
    const b = cosineFusion.scores(scaled);
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    const c = cosineFusion.cotangents(input);
    const m = input.imageEmbedding.length;
    for (let r = 0; r < 3; r++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += c.data[r * m + i]! * input.imageEmbedding[i]!;
      expect(Math.abs(dot)).toBeLessThan(1e-4);
    }
  });
});
