import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { caught } from '../expect-error.test-support.js';
import { averageRanks, classMapSimilarity, spearman } from './spearman.js';

describe('averageRanks', () => {
  it('gives ties the mean of the ranks they span', () => {
    // sorted: 10 10 20 20 30 → ranks (1+2)/2, (3+4)/2, 5
    expect(Array.from(averageRanks([10, 20, 10, 30, 20]))).toEqual([1.5, 3.5, 1.5, 5, 3.5]);
    expect(Array.from(averageRanks([3, -Infinity, Infinity, Infinity]))).toEqual([2, 1, 3.5, 3.5]);
  });

  it('ranks NaN as NaN after every number, and −0 and 0 as one tie', () => {
    expect(Array.from(averageRanks([2, NaN, -0, 0, 1]))).toEqual([4, NaN, 1.5, 1.5, 3]);
  });

  it('equals the definition, count below + (count equal + 1) / 2, on random values with many ties', () => {
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = Array.from({ length: 500 }, () => Math.round(random() * 40) / 4 - 5);
    const expected = values.map((v) => values.filter((w) => w < v).length + (values.filter((w) => w === v).length + 1) / 2);
    expect(Array.from(averageRanks(values))).toEqual(expected);
  });
});

describe('spearman', () => {
  it('is −1 for reversed order and 1 for any increasing transform', () => {
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBe(1);
  });

  it('handles ties with average ranks, as scipy.stats.spearmanr', () => {
    // [1,1,2] → ranks [1.5,1.5,3], deviations from 2: [−.5,−.5,1]; [1,2,3] → deviations [−1,0,1]
    // cov = .5 + 0 + 1 = 1.5; Σd² = 1.5 and 2; ρ = 1.5 / √3 = √3 / 2 ≈ 0.8660254
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(3) / 2, 12);
    // [5,6,7,8,7] → ranks [1,2,3.5,5,3.5], deviations [−2,−1,.5,2,.5]; [1..5] deviations [−2,−1,0,1,2]
    // cov = 4 + 1 + 0 + 2 + 1 = 8; Σd² = 10 and 9.5; ρ = 8 / √95 ≈ 0.8207827 (scipy: 0.8207826816681233)
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
  });

  it('is NaN for a constant input or a NaN value, as scipy', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1, NaN, 3], [1, 2, 3])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
  });

  it('rejects inputs of different lengths, naming both', () => {
    const e = caught(() => spearman([1, 2, 3], [1, 2, 3, 4]));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('3 and 4');
  });
});

describe('classMapSimilarity', () => {
  it('averages ρ over all pairs', () => {
    // ρ(A, 2A) = 1, ρ(A, C) = ρ(2A, C) = −1 → (1 − 1 − 1) / 3
    const a = [1, 2, 3, 4];
    expect(classMapSimilarity([a, a.map((v) => 2 * v), [4, 3, 2, 1]])).toBeCloseTo(-1 / 3, 12);
  });

  it('ranks the raw, positive or absolute values', () => {
    const a = { data: Float32Array.from([-2, -1, 1, 2]), width: 2, height: 2 };
    const b = { data: Float32Array.from([-1, -2, 1, 2]), width: 2, height: 2 };
    // raw: ranks [1,2,3,4] and [2,1,3,4]; deviations [−1.5,−.5,.5,1.5] and [−.5,−1.5,.5,1.5]
    //   cov = .75 + .75 + .25 + 2.25 = 4, Σd² = 5 each → ρ = 0.8
    expect(classMapSimilarity([a, b])).toBeCloseTo(0.8, 12);
    expect(classMapSimilarity([a, b], { use: 'raw' })).toBeCloseTo(0.8, 12);
    // positive: both [0,0,1,2] → 1
    expect(classMapSimilarity([a, b], { use: 'positive' })).toBeCloseTo(1, 12);
    // absolute: [2,1,1,2] → ranks [3.5,1.5,1.5,3.5]; [1,2,1,2] → [1.5,3.5,1.5,3.5]; deviations [1,−1,−1,1], [−1,1,−1,1] → cov 0
    expect(classMapSimilarity([a, b], { use: 'absolute' })).toBeCloseTo(0, 12);
    expect(caught(() => classMapSimilarity([a, b], { use: 'signed' as never })).code).toBe('E_CONFIG');
  });

  it('sums the channels of tensors', () => {
    // channel sums [−2, −1, 1, 2], as map a above
    const t = tensor('float32', [2, 2, 2], Float32Array.from([-1, 0, 0, 1, -1, -1, 1, 1]));
    expect(classMapSimilarity([t, { data: Float32Array.from([-1, -2, 1, 2]), width: 2, height: 2 }])).toBeCloseTo(0.8, 12);
  });

  it('rejects fewer than two maps and maps of different sizes, naming both', () => {
    expect(caught(() => classMapSimilarity([[1, 2]])).code).toBe('E_INPUT');
    const e = caught(() =>
      classMapSimilarity([
        { data: new Float32Array(4), width: 2, height: 2 },
        { data: new Float32Array(4), width: 4, height: 1 },
      ]),
    );
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('1×4');
    expect(e.message).toContain('2×2');
    const f = caught(() => classMapSimilarity([[1, 2, 3], [1, 2, 3, 4]]));
    expect(f.message).toContain('4 values');
    expect(f.message).toContain('3 values');
  });
});
