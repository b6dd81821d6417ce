import { describe, it, expect } from 'vitest';
import { tensor, isEnvisionError } from '@envision/onnx-grad';
import { SIGNS, cumulativeSumThreshold, mapGeometry, normalizeAttr, sumChannels } from './normalize.js';

// A [C=2, H=2, W=2] map. Channel sums per pixel: 1+1 = 2, −2+1 = −1, 3−1 = 2, 0.5−4.5 = −4.
const MAP = tensor('float32', [2, 2, 2], Float32Array.from([1, -2, 3, 0.5, 1, 1, -1, -4.5]));
const SUMS = [2, -1, 2, -4];

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isEnvisionError(e) ? e.code : 'not an EnvisionError';
  }
  return undefined;
}

describe('sumChannels', () => {
  it('sums a [C, H, W] map over C', () => {
    expect(Array.from(sumChannels(MAP))).toEqual(SUMS);
  });

  it('accepts [1, C, H, W] and copies [H, W]', () => {
    expect(Array.from(sumChannels({ ...MAP, shape: [1, 2, 2, 2] }))).toEqual(SUMS);
    const plain = tensor('float32', [2, 2], Float32Array.from(SUMS));
    const out = sumChannels(plain);
    expect(Array.from(out)).toEqual(SUMS);
    expect(out).not.toBe(plain.data);
  });

  it('rejects other ranks', () => {
    expect(code(() => sumChannels(tensor('float32', [2, 2, 1, 1], new Float32Array(4))))).toBe('E_INPUT');
    expect(code(() => mapGeometry([4]))).toBe('E_INPUT');
  });
});

describe('cumulativeSumThreshold', () => {
  it('returns the sorted value at which the running sum reaches the percentile of the total', () => {
    // sorted [1, 2, 3], running sums [1, 3, 6]
    expect(cumulativeSumThreshold([3, 1, 2], 50)).toBe(2); // target 3: reached exactly at 2
    expect(cumulativeSumThreshold([3, 1, 2], 51)).toBe(3); // target 3.06
    expect(cumulativeSumThreshold([3, 1, 2], 10)).toBe(1); // target 0.6
    expect(cumulativeSumThreshold([3, 1, 2], 100)).toBe(3);
    expect(cumulativeSumThreshold([3, 1, 2], 0)).toBe(1);
  });

  it('handles all zeros', () => {
    expect(cumulativeSumThreshold([0, 0, 0], 98)).toBe(0);
  });

  it('rejects percentiles outside [0, 100] and empty input', () => {
    expect(code(() => cumulativeSumThreshold([1], 101))).toBe('E_CONFIG');
    expect(code(() => cumulativeSumThreshold([1], -1))).toBe('E_CONFIG');
    expect(code(() => cumulativeSumThreshold([], 50))).toBe('E_INPUT');
  });
});

describe('normalizeAttr', () => {
  it('all: divides by the threshold of |v| and keeps signs', () => {
    // |v| sorted [1, 2, 2, 4], running [1, 3, 5, 9]; 98 % of 9 = 8.82 → threshold 4
    expect(Array.from(normalizeAttr(SUMS, 'all'))).toEqual([0.5, -0.25, 0.5, -1]);
    // 50 % of 9 = 4.5 → threshold 2; −4/2 = −2 clipped to −1
    expect(Array.from(normalizeAttr(SUMS, 'all', 50))).toEqual([1, -0.5, 1, -1]);
  });

  it('positive: drops negatives', () => {
    // kept [2, 0, 2, 0]: sorted [0, 0, 2, 2], running [0, 0, 2, 4]; 98 % of 4 = 3.92 → threshold 2
    expect(Array.from(normalizeAttr(SUMS, 'positive'))).toEqual([1, 0, 1, 0]);
  });

  it('negative: keeps negatives, shown by magnitude in [0, 1]', () => {
    // kept [0, −1, 0, −4]: |·| sorted [0, 0, 1, 4], running [0, 0, 1, 5]; 98 % of 5 = 4.9 → threshold 4, divide by −4
    expect(Array.from(normalizeAttr(SUMS, 'negative'))).toEqual([0, 0.25, 0, 1]);
    // 10 % of 5 = 0.5 → threshold 1; 4 clipped to 1
    expect(Array.from(normalizeAttr(SUMS, 'negative', 90))).toEqual([0, 1, 0, 1]);
  });

  it('absolute_value: magnitudes', () => {
    expect(Array.from(normalizeAttr(SUMS, 'absolute_value'))).toEqual([0.5, 0.25, 0.5, 1]);
  });

  it('gives zeros, not NaN, for an all-zero map and for a sign with no values', () => {
    for (const sign of SIGNS) expect(Array.from(normalizeAttr([0, 0, 0, 0], sign))).toEqual([0, 0, 0, 0]);
    expect(Array.from(normalizeAttr([1, 2, 3], 'negative'))).toEqual([0, 0, 0]);
    expect(Array.from(normalizeAttr([-1, -2], 'positive'))).toEqual([0, 0]);
  });

  it('takes the limit where the threshold is exactly 0 (Captum asserts)', () => {
    // outlierPerc 100: percentile 0 → threshold = smallest magnitude = 0; kept values go to ±1 by sign
    expect(Array.from(normalizeAttr([0, 2, -3], 'all', 100))).toEqual([0, 1, -1]);
    expect(Array.from(normalizeAttr([0, 2, -3], 'negative', 100))).toEqual([0, 0, 1]);
  });

  it('divides by a tiny non-zero threshold as Captum does', () => {
    // |v| sorted [1e-7, 2e-7], running [1e-7, 3e-7]; 98 % → threshold 2e-7
    expect(Array.from(normalizeAttr([1e-7, -2e-7], 'all'))).toEqual([0.5, -1]);
  });

  it('leaves NaN out of the threshold and keeps it NaN', () => {
    // non-NaN |v| sorted [1, 2], running [1, 3]; 98 % of 3 = 2.94 → threshold 2
    for (const sign of SIGNS) expect(Number.isNaN(normalizeAttr([Number.NaN, 2, -1], sign)[0])).toBe(true);
    expect(Array.from(normalizeAttr([Number.NaN, 2, -1], 'all')).slice(1)).toEqual([1, -0.5]);
  });

  it('returns an empty array for no values and rejects bad options', () => {
    expect(normalizeAttr([], 'all')).toHaveLength(0);
    expect(code(() => normalizeAttr([1], 'all', 120))).toBe('E_CONFIG');
    expect(code(() => normalizeAttr([1], 'both' as never))).toBe('E_CONFIG');
  });
});
