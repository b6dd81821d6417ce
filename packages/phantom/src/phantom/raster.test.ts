import { describe, it, expect } from 'vitest';
import { blur, boxOf, centroidOf, dilate, distanceFrom, extentOf, overlaps, smoothstep } from './raster.js';

/** Reference: one box blur (edges clamped) computed directly from its definition. */
function naiveBox(src: Float32Array, size: number, r: number, horizontal: boolean): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) {
        const xx = horizontal ? Math.min(size - 1, Math.max(0, x + k)) : x;
        const yy = horizontal ? y : Math.min(size - 1, Math.max(0, y + k));
        s += src[yy * size + xx]!;
      }
      out[y * size + x] = s / (2 * r + 1);
    }
  }
  return out;
}

describe('blur', () => {
  it('equals three clamped box blurs computed naively', () => {
    const size = 19;
    const src = Float32Array.from({ length: size * size }, (_, i) => ((i * 7919) % 13) - 6);
    // sigma 3 → box widths 5, 5, 7 (Kutskir's rule), radii 2, 2, 3.
    let ref: Float32Array = src;
    for (const r of [2, 2, 3]) ref = naiveBox(naiveBox(ref, size, r, true), size, r, false);
    const got = blur(src, size, 3);
    for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i]!, 4);
  });
  it('keeps a constant plane and the mass of an interior impulse; spreads it like a Gaussian of that sigma', () => {
    const size = 64;
    expect(Array.from(blur(new Float32Array(size * size).fill(2), size, 4)).every((v) => Math.abs(v - 2) < 1e-5)).toBe(true);
    const impulse = new Float32Array(size * size);
    impulse[32 * size + 32] = 1;
    const b = blur(impulse, size, 4);
    let sum = 0;
    let varX = 0;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      sum += b[y * size + x]!;
      varX += b[y * size + x]! * (x - 32) ** 2;
    }
    expect(sum).toBeCloseTo(1, 5);
    expect(Math.sqrt(varX)).toBeGreaterThan(3.5);
    expect(Math.sqrt(varX)).toBeLessThan(4.5);
  });
  it('returns a copy for sigma below 0.5', () => {
    const src = new Float32Array([1, 2, 3, 4]);
    const out = blur(src, 2, 0.2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(out).not.toBe(src);
  });
});

describe('distanceFrom', () => {
  it('is within 8 % of the Euclidean distance to the nearest seed', () => {
    const size = 40;
    const seeds = new Uint8Array(size * size);
    const points = [[3, 4], [30, 10], [20, 35]];
    for (const [x, y] of points) seeds[y! * size + x!] = 1;
    const d = distanceFrom(seeds, size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const exact = Math.min(...points.map(([px, py]) => Math.hypot(x - px!, y - py!)));
      expect(Math.abs(d[y * size + x]! - exact)).toBeLessThanOrEqual(0.085 * exact + 1e-6);
    }
  });
  it('is Infinity without seeds', () => {
    expect(distanceFrom(new Uint8Array(9), 3).every((v) => v === Infinity)).toBe(true);
  });
});

describe('boxes and masks', () => {
  const size = 8;
  const mask = new Uint8Array(size * size);
  for (const [x, y] of [[2, 1], [5, 3], [3, 6]]) mask[y! * size + x!] = 1;
  it('boxOf is tight with exclusive ends', () => {
    expect(boxOf(mask, size)).toEqual({ x0: 2, y0: 1, x1: 6, y1: 7 });
    expect(extentOf(mask, size)).toEqual({ top: 1, bottom: 6, left: 2, right: 5 });
    expect(boxOf(new Uint8Array(size * size), size)).toBeUndefined();
  });
  it('centroidOf averages pixel coordinates', () => {
    expect(centroidOf(mask, size)).toEqual({ count: 3, x: 10 / 3, y: 10 / 3 });
  });
  it('dilate grows by a radius; overlaps detects shared pixels', () => {
    const one = new Uint8Array(size * size);
    one[4 * size + 4] = 1;
    const grown = dilate(one, size, 1);
    expect(Array.from(grown).reduce((s, v) => s + v, 0)).toBe(5);
    expect(overlaps(grown, mask)).toBe(false);
    expect(overlaps(dilate(one, size, 1.5), mask)).toBe(true);
  });
  it('smoothstep is 0, ½, 1 at the ends and middle', () => {
    expect([smoothstep(0, 1, -1), smoothstep(0, 1, 0.5), smoothstep(0, 1, 2)]).toEqual([0, 0.5, 1]);
  });
});
