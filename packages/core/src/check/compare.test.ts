import { describe, expect, it } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { float32Problem, formatError, relativeDeviation, shortNumber, within } from './compare.js';

describe('relativeDeviation', () => {
  it('is the largest difference over the largest expected magnitude', () => {
    expect(relativeDeviation([1, 2.5, -4], [1, 2, -4])).toBeCloseTo(0.125, 12);
    expect(relativeDeviation([0, 0], [0, 0])).toBe(0);
    expect(relativeDeviation([1, 0], [0, 0])).toBe(Infinity);
  });

  it('is NaN — accepted by no tolerance — for different lengths and non-finite values', () => {
    for (const [a, b] of [[[1], [1, 2]], [[Number.NaN], [1]], [[1], [Infinity]]] as const) {
      const error = relativeDeviation(a, b);
      expect(error).toBeNaN();
      expect(within(error, 1e9)).toBe(false);
    }
  });
});

describe('formatting', () => {
  it('writes numbers in two significant digits', () => {
    expect([2.54e-7, 1e-2, 0, 2, 123456].map(shortNumber)).toEqual(['2.5e-7', '1e-2', '0', '2e+0', '1.2e+5']);
    expect(formatError(3.14e-6, 1e-5)).toBe('3.1e-6 (tolerance 1e-5)');
    expect(formatError(Number.NaN, 1e-5)).toBe('not comparable (tolerance 1e-5)');
  });
});

describe('float32Problem', () => {
  it('names the type, the shape or the first non-finite value, else nothing', () => {
    const ok = tensor('float32', [2, 2], new Float32Array([1, 2, 3, 4]));
    expect(float32Problem(ok, [2, 2], 'maps')).toBeUndefined();
    expect(float32Problem(undefined, [2, 2], 'maps')).toBe('maps is missing');
    expect(float32Problem(tensor('float64', [2, 2], new Float64Array(4)), [2, 2], 'maps')).toBe('maps is float64, expected float32');
    expect(float32Problem(ok, [4], 'maps')).toBe('maps is [2, 2], expected [4]');
    expect(float32Problem(tensor('float32', [2], new Float32Array([1, -Infinity])), [2], 'maps')).toBe('maps holds -Infinity at flat index 1');
  });
});
