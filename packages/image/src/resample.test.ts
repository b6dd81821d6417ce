import { describe, expect, it } from 'vitest';
import { fixtureNpy, maxAbsDiff } from './test-fixtures.test-support.js';
import { resampleFloat, resampleU8, taps, type ResampleFilter } from './resample.js';

const CASES = [
  ['down', 20, 16],
  ['up', 41, 53],
  ['vertical', 12, 37],
  ['horizontal', 29, 90],
] as const;

describe('resample against PIL (scripts/make_pil_reference.py)', () => {
  for (const filter of ['bicubic', 'bilinear'] as ResampleFilter[]) {
    for (const [name, h, w] of CASES) {
      it(`${filter} ${name} on 8-bit 'L' data matches PIL exactly`, async () => {
        const src = await fixtureNpy('resample-src.npy');
        const ref = await fixtureNpy(`resample-${filter}-${name}.npy`);
        expect(ref.shape).toEqual([h, w]);
        const out = resampleU8(Uint8Array.from(src.data), src.shape[1]!, src.shape[0]!, w, h, filter);
        expect(maxAbsDiff(out, ref.data)).toBe(0);
      });

      it(`${filter} ${name} on float 'F' data matches PIL exactly`, async () => {
        const src = await fixtureNpy('resample-src-float.npy');
        const ref = await fixtureNpy(`resample-${filter}-${name}-float.npy`);
        const out = resampleFloat(src.data, src.shape[1]!, src.shape[0]!, w, h, filter);
        expect(maxAbsDiff(out, ref.data)).toBe(0);
      });
    }
  }
});

describe("box, hamming and lanczos against PIL on 8-bit 'L' data", () => {
  for (const filter of ['box', 'hamming', 'lanczos'] as ResampleFilter[]) {
    for (const [name, h, w] of CASES) {
      it(`${filter} ${name} matches PIL exactly`, async () => {
        const src = await fixtureNpy('resample-src.npy');
        const ref = await fixtureNpy(`resample-${filter}-${name}.npy`);
        expect(ref.shape).toEqual([h, w]);
        const out = resampleU8(Uint8Array.from(src.data), src.shape[1]!, src.shape[0]!, w, h, filter);
        expect(maxAbsDiff(out, ref.data)).toBe(0);
      });
    }
  }
});

describe('taps', () => {
  it('follow the bicubic kernel with a = -0.5', () => {
    // 4 → 8 puts output 2 at input 1.25; taps reach centre ± support rounded: pixels 0, 1, 2 (centres 0.5, 1.5, 2.5)
    const k = (x: number): number => (x < 1 ? 1.5 * x ** 3 - 2.5 * x ** 2 + 1 : -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2);
    const t = taps(4, 8, 'bicubic');
    const expected = [0.75, 0.25, 1.25].map(k);
    const sum = expected.reduce((a, b) => a + b, 0);
    expect([t.first[2], t.count[2]]).toEqual([0, 3]);
    Array.from(t.weights.subarray(2 * t.stride, 2 * t.stride + 3)).forEach((w, i) => expect(w).toBeCloseTo(expected[i]! / sum, 12));
  });

  it('are normalised and widen with the downscale factor (antialiasing)', () => {
    const t = taps(300, 100, 'bicubic');
    // support 2 · scale 3 = 6 input pixels on each side
    expect(t.stride).toBe(13);
    for (let i = 0; i < 100; i++) {
      let s = 0;
      for (let j = 0; j < t.count[i]!; j++) s += t.weights[i * t.stride + j]!;
      expect(s).toBeCloseTo(1, 12);
    }
    expect(t.count[50]).toBe(12);
  });

  it('sit at input pixel centres when upscaling', () => {
    // Output pixel 1 of 2 → 4 is centred at input 0.75; input pixel centres are 0.5 and 1.5.
    const t = taps(2, 4, 'bilinear');
    expect(t.first[1]).toBe(0);
    expect(Array.from(t.weights.subarray(t.stride, t.stride + t.count[1]!))).toEqual([0.75, 0.25]);
  });
});

describe('resampleU8', () => {
  it('returns a copy when the size does not change', () => {
    const src = Uint8Array.from([1, 2, 3, 4]);
    const out = resampleU8(src, 2, 2, 2, 2, 'bicubic');
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(out).not.toBe(src);
  });

  it('clips bicubic overshoot to 0..255', () => {
    const src = Uint8Array.from([0, 0, 255, 255, 0, 0]);
    const out = resampleU8(src, 6, 1, 13, 1, 'bicubic');
    expect(Math.max(...out)).toBe(255);
    expect(Math.min(...out)).toBe(0);
  });

  it('rejects inconsistent sizes', () => {
    expect(() => resampleU8(new Uint8Array(5), 2, 2, 1, 1, 'bilinear')).toThrow('resample: 2×2 image needs 4 pixels, got 5');
    expect(() => resampleFloat(new Float32Array(4), 2, 2, 0, 1, 'bilinear')).toThrow(/positive integers/);
  });
});
