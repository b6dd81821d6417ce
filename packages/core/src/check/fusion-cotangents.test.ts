import { describe, expect, it } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import type { FusionRule } from '../fusion.js';
import { checkFusionCotangents, sampleFusionInput } from './fusion-cotangents.js';

/** s_r = Σ_i w_r,i · e_i² with exact cotangent 2 w_r,i e_i, optionally scaled wrongly. */
function square(factor: number): FusionRule<Record<string, never>> {
  return {
    meta: { id: 'square', optionsSchema: {}, defaultOptions: {}, description: '', linear: false },
    scores: (input) => {
      const [k, m] = input.textEmbeddings.shape as [number, number];
      return Float32Array.from({ length: k }, (_, r) => input.imageEmbedding.reduce((s, e, i) => s + input.textEmbeddings.data[r * m + i]! * e * e, 0));
    },
    cotangents: (input) => {
      const [k, m] = input.textEmbeddings.shape as [number, number];
      return tensor('float32', [k, m], Float32Array.from({ length: k * m }, (_, j) => factor * 2 * input.textEmbeddings.data[j]! * input.imageEmbedding[j % m]!));
    },
  };
}

describe('checkFusionCotangents', () => {
  it('is near 0 for exact cotangents of a quadratic (central differences are exact there but for rounding)', () => {
    expect(checkFusionCotangents(square(1), sampleFusionInput({}, 4, 5))).toBeLessThan(1e-3);
  });

  it('is the relative size of the mistake for wrong cotangents', () => {
    expect(checkFusionCotangents(square(1.5), sampleFusionInput({}, 4, 5))).toBeCloseTo(0.5, 2);
    expect(checkFusionCotangents(square(-1), sampleFusionInput({}, 4, 5))).toBeCloseTo(2, 2);
  });

  it('sampleFusionInput is deterministic and keeps the groups it is given', () => {
    const a = sampleFusionInput({}, 3, 6, [[0, 1], [2]]);
    expect(a.groups).toEqual([[0, 1], [2]]);
    expect(a.textEmbeddings.shape).toEqual([3, 6]);
    expect([...a.imageEmbedding]).toEqual([...sampleFusionInput({}, 3, 6).imageEmbedding]);
    expect(a.logitScale).toBeCloseTo(Math.log(1 / 0.07), 12);
  });
});
