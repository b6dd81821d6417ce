import { describe, expect, it } from 'vitest';
import { absNormalised, gaussianWindow, mapSimilarity, ssim } from './similarity.js';

/** The planes scripts/dev/sanity_similarity_reference.py builds (16 × 13). */
function planes(): { a: Float64Array; b: Float64Array; h: number; w: number } {
  const h = 16;
  const w = 13;
  const a = Float64Array.from({ length: h * w }, (_, i) => Math.sin(0.37 * i) * ((i % 7) - 3));
  const b = Float64Array.from({ length: h * w }, (_, i) => Math.cos(0.11 * i) + 0.2 * (i % 5));
  return { a, b, h, w };
}

describe('ssim', () => {
  it('is 1 for identical planes and symmetric', () => {
    const { a, b, h, w } = planes();
    expect(ssim(absNormalised(a), absNormalised(a), h, w)).toBeCloseTo(1, 12);
    expect(ssim(a, b, h, w)).toBeCloseTo(ssim(b, a, h, w), 12);
  });

  it('matches the numpy/scipy reference (Wang 2004, Gaussian window 11, σ 1.5, reflect, data range 1)', () => {
    // numbers from scripts/dev/sanity_similarity_reference.py
    const { a, b, h, w } = planes();
    expect(ssim(absNormalised(a), absNormalised(b), h, w)).toBeCloseTo(-0.32356828215674216, 10);
    expect(ssim(absNormalised(a), absNormalised(a.map((v) => v * v)), h, w)).toBeCloseTo(0.8434064145595949, 10);
    expect(mapSimilarity('ssim', a, b, h, w)).toBeCloseTo(-0.32356828215674216, 10);
  });

  it('gives a hand-checked value for constant planes: luminance term only', () => {
    // x ≡ 0.5, y ≡ 0.25: variances 0, so SSIM = (2·0.5·0.25 + C1) / (0.25 + 0.0625 + C1) with C1 = 1e-4
    const x = new Float64Array(12 * 12).fill(0.5);
    const y = new Float64Array(12 * 12).fill(0.25);
    expect(ssim(x, y, 12, 12)).toBeCloseTo((0.25 + 1e-4) / (0.3125 + 1e-4), 12);
  });

  it('uses scipy’s 11-tap window for σ 1.5', () => {
    const window = gaussianWindow(1.5);
    expect(window.length).toBe(11);
    expect(window.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(window[5]! / window[4]!).toBeCloseTo(Math.exp(1 / 4.5), 12);
  });
});

describe('mapSimilarity spearman', () => {
  it('ranks absolute values (Quantus abs=True), matching scipy.stats.spearmanr', () => {
    const { a, b, h, w } = planes();
    expect(mapSimilarity('spearman', a, b, h, w)).toBeCloseTo(0.022710182195977608, 10);
    expect(mapSimilarity('spearman', a, a.map((v) => -2 * v), h, w)).toBeCloseTo(1, 12);
  });
});
