import { describe, it, expect } from 'vitest';
import { isEnvisionError } from '@envision/onnx-grad';
import { summarize } from './summarize.js';

describe('summarize', () => {
  it('computes mean, sample sd and the 95 % half-width', () => {
    // [1..5]: mean 3, Σ(v − 3)² = 10, sd = √(10/4) = √2.5, ci95 = 1.96 · √2.5 / √5 = 1.96 · √0.5 ≈ 1.3859293
    const s = summarize([1, 2, 3, 4, 5]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.ci95).toBeCloseTo(1.3859292911256333, 12);
    // [2,4,4,4,5,5,7,9]: mean 5, Σ(v − 5)² = 32, sd = √(32/7) ≈ 2.1380899, ci95 = 1.96 · √(32/7) / √8 = 1.96 · √(4/7) ≈ 1.4816207
    const t = summarize(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]));
    expect(t.mean).toBe(5);
    expect(t.sd).toBeCloseTo(2.138089935299395, 12);
    expect(t.ci95).toBeCloseTo(1.4816207341961707, 12);
  });

  it('gives NaN spread for one value and rejects none', () => {
    expect(summarize([7])).toEqual({ n: 1, mean: 7, sd: NaN, ci95: NaN });
    let code: string | undefined;
    try {
      summarize([]);
    } catch (e) {
      code = isEnvisionError(e) ? e.code : 'other';
    }
    expect(code).toBe('E_INPUT');
  });
});
