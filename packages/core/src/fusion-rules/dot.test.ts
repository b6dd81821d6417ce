import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { dotFusion } from './dot.js';
import { checkFusionCotangents, sampleFusionInput } from '../check/fusion-cotangents.js';

describe('dot fusion (the paper)', () => {
  it('is τ·⟨t̂, e⟩ by default and τ·⟨t, e⟩ without normalisation (hand-computed)', () => {
    const base = { imageEmbedding: Float32Array.of(1, 2), textEmbeddings: tensor('float32', [1, 2], Float32Array.of(3, 4)), logitScale: Math.log(2) };
    expect(dotFusion.scores({ ...base, options: { normalizeText: true } })[0]).toBeCloseTo(2 * (3 + 8) / 5, 5);
    expect(dotFusion.scores({ ...base, options: { normalizeText: false } })[0]).toBeCloseTo(2 * 11, 5);
  });
  it('is linear: its cotangents do not depend on e and equal finite differences', () => {
    const input = sampleFusionInput({ normalizeText: true });
    const a = dotFusion.cotangents(input);
    const b = dotFusion.cotangents({ ...input, imageEmbedding: new Float32Array(6) });
    expect([...a.data]).toEqual([...b.data]);
    expect(checkFusionCotangents(dotFusion, input)).toBeLessThan(1e-3);
  });
});
