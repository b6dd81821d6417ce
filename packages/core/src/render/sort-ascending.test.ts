import { describe, expect, it } from 'vitest';
import { sortAscending } from './sort-ascending.js';

const native = (values: ArrayLike<number>) => Array.from(Float64Array.from(values).sort(), (v) => v + 0);

describe('sortAscending', () => {
  it('orders float32 magnitudes as the native sort does, zeros, subnormals, ties and Infinity included', () => {
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = Float32Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? 0 : Math.abs(Math.tan(rand() * 3) * 10 ** Math.floor(rand() * 12 - 6))));
    values.set([1e-45, 3e-40, Infinity, -0, 0, 2, 2, 2 ** 24 + 2], 100);
    const sorted = sortAscending(values);
    expect(sorted).toBeInstanceOf(Float64Array);
    expect(Array.from(sorted, (v) => v + 0)).toEqual(native(values));
    expect(sorted[0]).toBe(0);
    expect(sorted.at(-1)).toBe(Infinity);
  });

  it('falls back to the native sort for negative values, NaN and values float32 cannot hold', () => {
    for (const values of [[3, -1, 2, -5], [1, Number.NaN, 0.5], [0.1, 0.3, 0.2], [1e300, 1]]) {
      const sorted = Array.from(sortAscending(values));
      expect(sorted.map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(Array.from(Float64Array.from(values).sort()).map((v) => (Number.isNaN(v) ? 'NaN' : v)));
    }
  });

  it('sorts an empty and a one-value array', () => {
    expect(Array.from(sortAscending([]))).toEqual([]);
    expect(Array.from(sortAscending([0.5]))).toEqual([0.5]);
  });
});
