import { tensor } from '@envision/core';
import { describe, expect, it } from 'vitest';
import { Weights } from './weights.js';

const f = (shape: number[]) => tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));

describe('Weights', () => {
  const sd = new Map([
    ['m.layer.0.w', f([2, 3])],
    ['m.layer.1.w', f([2, 3])],
    ['m.layer.3.w', f([2, 3])],
    ['m.ids', tensor('int64', [2], BigInt64Array.of(0n, 1n))],
    ['m.extra', f([1])],
  ]);

  it('checks keys, dtypes and shapes, naming the key', () => {
    const w = new Weights(sd, 'ck.bin');
    expect(w.float('m.layer.0.w', [2, undefined]).shape).toEqual([2, 3]);
    expect(() => w.float('m.nope')).toThrow(expect.objectContaining({ code: 'E_BUNDLE', message: "ck.bin: missing key 'm.nope'" }));
    expect(() => w.float('m.layer.1.w', [3, 2])).toThrow("ck.bin: 'm.layer.1.w' has shape [2, 3], expected [3, 2]");
    expect(() => w.float('m.ids')).toThrow("ck.bin: 'm.ids' is int64, expected a floating-point tensor");
    expect(w.int('m.ids').data).toEqual(BigInt64Array.of(0n, 1n));
  });

  it('counts numbered children and reports keys never read', () => {
    const w = new Weights(sd, 'ck.bin');
    expect(w.count('m.layer.')).toBe(2);
    w.float('m.layer.0.w');
    w.ignore('m.layer.1.w', 'm.layer.3.w', 'm.ids');
    expect(() => w.checkAllUsed(['m.'])).toThrow("ck.bin: unexpected key 'm.extra'");
    expect(() => w.checkAllUsed(['other.'])).not.toThrow();
  });
});
